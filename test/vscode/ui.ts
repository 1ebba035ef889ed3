/**
 * Helpers for UI end-to-end tests: playwright-core + Debian Chromium against a code-server workbench.
 *
 *   const ui = await openUi({ folder, extensionFolders: [extDir] });   // server + browser + workbench
 *   await runCommand(ui.page, 'Smoke: Say Hello');
 *   await waitForNotification(ui.page, 'Hello');
 *   await screenshot(ui.page, 'smoke-hello');                          // test-artifacts/smoke-hello.png
 *   await ui.close();
 *
 * Every wait is on a condition (a locator), never a fixed sleep.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { CodeServerOptions, RunningCodeServer, startCodeServer } from './codeServer';
import { launchChromium } from './runExtensionTests';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const ARTIFACTS = process.env.TEST_ARTIFACTS_DIR ?? path.join(REPO, 'test-artifacts');

export const DEFAULT_TIMEOUT = 60_000;

export interface UiSession {
  server: RunningCodeServer;
  browser: Browser;
  page: Page;
  /** Closes the browser and stops the server (process tree + state folder). Idempotent. */
  close(): Promise<void>;
}

export interface OpenUiOptions extends CodeServerOptions {
  /** Folder to open in the workbench. */
  folder?: string;
  viewport?: { width: number; height: number };
  /** Wait for the explorer to show at least one row (default: true when a non-empty folder is given). */
  waitForExplorer?: boolean;
}

/** Starts code-server (with the options, e.g. extensionFolders or vsix), a browser, and opens the workbench. */
export async function openUi(options: OpenUiOptions = {}): Promise<UiSession> {
  const server = await startCodeServer(options);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium({ env: options.env });
    const page = await browser.newPage({ viewport: options.viewport ?? { width: 1400, height: 900 } });
    page.setDefaultTimeout(DEFAULT_TIMEOUT);
    const isNonEmptyDir = (dir: string) => fs.statSync(dir).isDirectory() && fs.readdirSync(dir).length > 0;
    const waitForExplorer = options.waitForExplorer ?? (!!options.folder && isNonEmptyDir(options.folder));
    await openWorkbench(page, server, options.folder, { waitForExplorer });
    let closing: Promise<void> | undefined;
    const b = browser;
    return {
      server,
      browser,
      page,
      close: () => (closing ??= (async () => {
        await b.close().catch(() => undefined);
        await server.stop();
      })()),
    };
  } catch (err) {
    await browser?.close().catch(() => undefined);
    await server.stop();
    throw err;
  }
}

/** Opens `/?folder=<folder>` and waits for the workbench (and, if asked, the explorer rows). */
export async function openWorkbench(page: Page, server: RunningCodeServer | string, folder?: string, options: { waitForExplorer?: boolean; timeout?: number } = {}): Promise<void> {
  const url = typeof server === 'string' ? `${server.replace(/\/$/, '')}/${folder ? `?folder=${encodeURIComponent(path.resolve(folder))}` : ''}` : server.workbenchUrl(folder);
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout });
  await waitForWorkbench(page, timeout);
  if (options.waitForExplorer) {
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout });
  }
}

/** Waits until the workbench is laid out: activity bar, status bar, and the editor area. */
export async function waitForWorkbench(page: Page, timeout = DEFAULT_TIMEOUT): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout });
  await page.locator('.part.activitybar').waitFor({ state: 'visible', timeout });
  await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout });
  await page.locator('.part.editor').waitFor({ state: 'attached', timeout });
}

/**
 * Runs a command from the palette by its title, as a person would: F1, type the title, pick the entry whose
 * label is exactly that title, Enter. (Typing matters: `fill()` right after load found no match.)
 * Right after the workbench loads, an extension's commands are not registered yet ("No matching commands"):
 * the palette is then closed and tried again until the entry shows or the time is up.
 */
export async function runCommand(page: Page, title: string, timeout = DEFAULT_TIMEOUT): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input').first();
  const row = widget
    .locator('.monaco-list-row')
    .filter({ has: page.locator('.label-name').filter({ hasText: exactText(title) }) })
    .first();
  let attempts = 0;
  await expectEventually(async () => {
    attempts++;
    if (await input.isVisible()) {
      await page.keyboard.press('Escape');
      await input.waitFor({ state: 'hidden', timeout: 5000 });
    }
    await page.locator('.monaco-workbench').focus().catch(() => undefined);
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 5000 });
    // F1 leaves '>' in the input: type the title after it.
    await page.keyboard.press('End');
    await page.keyboard.type(title, { delay: 5 });
    await row.waitFor({ state: 'visible', timeout: Math.min(5000 * attempts, 15_000) });
  }, timeout, 500);
  // The matching row is usually the focused first one: Enter runs it; otherwise click it.
  if ((await row.getAttribute('class'))?.split(/\s+/).includes('focused')) await page.keyboard.press('Enter');
  else await row.click();
  await input.waitFor({ state: 'hidden', timeout });
}

/** Waits for a notification toast (or notification-center entry) containing the text; returns its locator. */
export async function waitForNotification(page: Page, text: string | RegExp, timeout = DEFAULT_TIMEOUT): Promise<Locator> {
  const item = page.locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item').filter({ hasText: text }).first();
  await item.waitFor({ state: 'visible', timeout });
  return item;
}

/** Clicks the activity-bar entry with this title (e.g. 'Explorer' or an extension's view container title). */
export async function clickActivityBar(page: Page, title: string, timeout = DEFAULT_TIMEOUT): Promise<void> {
  const entry = activityBarEntry(page, title);
  await entry.waitFor({ state: 'visible', timeout });
  const checked = async () => (await entry.getAttribute('aria-checked')) === 'true' || (await entry.getAttribute('aria-expanded')) === 'true';
  if (!(await checked())) await entry.click();
}

/** The activity-bar entry whose aria-label is the title, or the title followed by its keybinding. */
export function activityBarEntry(page: Page, title: string): Locator {
  const t = cssString(title);
  return page.locator(`.part.activitybar .action-item a.action-label[aria-label=${t}], .part.activitybar .action-item a.action-label[aria-label^=${cssString(`${title} (`)}]`).first();
}

/** The view pane whose header title is viewTitle (case-insensitive; headers are shown upper-case). */
export function viewPane(page: Page, viewTitle: string): Locator {
  return page
    .locator('.pane')
    .filter({ has: page.locator('.pane-header').filter({ has: page.locator('h3.title', { hasText: exactText(viewTitle, 'i') }) }) })
    .first();
}

/** Tree rows in a view (all rows when label is omitted), matched by their exact label. */
export function treeRows(page: Page, viewTitle: string, label?: string | RegExp): Locator {
  const rows = viewPane(page, viewTitle).locator('.pane-body .monaco-list-row');
  if (label === undefined) return rows;
  return rows.filter({ has: page.locator('.label-name').filter({ hasText: typeof label === 'string' ? exactText(label) : label }) });
}

/** Waits for a tree row with this label in the view; expands the view pane first if it is collapsed. */
export async function waitForTreeRow(page: Page, viewTitle: string, label: string | RegExp, timeout = DEFAULT_TIMEOUT): Promise<Locator> {
  const pane = viewPane(page, viewTitle);
  await pane.waitFor({ state: 'visible', timeout });
  const header = pane.locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  const row = treeRows(page, viewTitle, label).first();
  await row.waitFor({ state: 'visible', timeout });
  return row;
}

/** The labels of the visible rows of a view, in order. */
export async function treeLabels(page: Page, viewTitle: string): Promise<string[]> {
  return (await treeRows(page, viewTitle).locator('.label-name').allTextContents()).map((s) => s.trim());
}

/** Saves a full-page PNG under test-artifacts/ (or TEST_ARTIFACTS_DIR); returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(ARTIFACTS, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
  return file;
}

// ----------------------------------------------------------------------------------------- helpers

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function exactText(text: string, flags = ''): RegExp {
  return new RegExp(`^\\s*${escapeRegExp(text)}\\s*$`, flags);
}

function cssString(s: string): string {
  return JSON.stringify(s);
}

/** Retries fn until it resolves or the time is up (then rethrows its last error). */
export async function expectEventually(fn: () => Promise<void>, timeout = DEFAULT_TIMEOUT, intervalMs = 250): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
