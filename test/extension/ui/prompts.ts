/**
 * Quick-input helpers shared by the extension's UI tests: a palette command that prompts at once, quick
 * picks and input boxes answered by typing, an Instances row with a given status icon, starting an
 * orchestration through the prompts.
 */
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { expectEventually, waitForTreeRow } from '../../vscode/ui';

/**
 * Runs a palette command that opens its own quick input right away. ui.ts's runCommand waits for the
 * palette to close, which never happens then: the same widget stays up with the command's first prompt.
 */
export async function runPromptingCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await page.locator('.monaco-workbench').focus().catch(() => undefined);
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible' });
  await page.keyboard.press('End');
  await page.keyboard.type(title, { delay: 10 });
  await page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: title }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget input[aria-label="Type the name of a command to run."]').waitFor({ state: 'detached' });
}

/** The quick input (pick or box) once its title shows `title`. */
export async function quickInput(page: Page, title: string | RegExp): Promise<Locator> {
  const widget = page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title').filter({ hasText: title }).waitFor({ state: 'visible' });
  return widget;
}

/** Answers a quick pick: filters by typing, waits for the row, Enter. */
export async function pick(page: Page, title: string | RegExp, typed: string, row: string | RegExp = typed): Promise<void> {
  const widget = await quickInput(page, title);
  await widget.locator('input').focus();
  await page.keyboard.type(typed, { delay: 5 });
  await widget.locator('.monaco-list-row').filter({ hasText: row }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
}

/** Answers an input box: replaces its value, Enter. */
export async function answer(page: Page, title: string | RegExp, text: string | undefined): Promise<void> {
  const widget = await quickInput(page, title);
  await widget.locator('input').focus();
  if (text !== undefined) {
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(text, { delay: 5 });
  }
  await page.keyboard.press('Enter');
}

/** The Instances row of an instance once its status icon (a codicon) is the expected one. */
export async function instanceRow(page: Page, instanceId: string, codicon: string): Promise<Locator> {
  const row = await waitForTreeRow(page, 'Instances', instanceId);
  await expectEventually(async () => assert.ok((await row.locator(`.codicon-${codicon}`).count()) > 0, `${instanceId} shows ${codicon}`));
  return row;
}

/** Starts an orchestration through the prompts; resolves with the time of the last Enter. */
export async function startOrchestration(page: Page, name: string, input: string, instanceId: string, hasHistory: boolean): Promise<number> {
  await runPromptingCommand(page, 'Durable: Start Orchestration…');
  await pick(page, 'Durable: Start Orchestration', name);
  if (hasHistory) await pick(page, `Start ${name}: recent inputs`, 'New input', /New input/);
  await answer(page, `Start ${name}: input`, input);
  await answer(page, `Start ${name}: instance id`, instanceId);
  return Date.now();
}
