/**
 * UI end to end for the history timeline: code-server with the packaged .vsix, playwright-core in Debian
 * Chromium, samples/approvals. A BudgetApproval over the auto-approval limit waits for BudgetApproved; its
 * timeline opens from a click on its Instances row; the panel's Raise Event button runs Durable: Raise Event,
 * whose prompts are answered in the quick input; the EventRaised marker and the completion appear live in the
 * panel. Then the context menu's Show History reveals the same panel, and after a reload of the window the
 * panel comes back (webview serializer) and fills in once the emulator runs again. Screenshots in test-artifacts/.
 *
 *   npm run build && npm run package && npx mocha --config test/extension/.mocharc.ui.json
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { ARTIFACTS, clickActivityBar, expectEventually, runCommand, screenshot, waitForTreeRow, waitForWorkbench } from '../../vscode/ui';
import { answer, instanceRow, pick, startOrchestration } from './prompts';
import { useSampleUi } from './sampleUi';

const INSTANCE = 'ui-timeline-budget';

/** The timeline page: VS Code nests a webview's page in an inner iframe of the outer webview iframe. */
function timelineFrame(page: Page): FrameLocator {
  return page.frameLocator('.part.editor iframe.webview.ready, iframe.webview.ready').first().frameLocator('iframe#active-frame');
}

async function statusBadge(frame: FrameLocator, status: string): Promise<void> {
  await frame.locator('.badge.status', { hasText: new RegExp(`^${status}$`) }).waitFor({ state: 'visible' });
}

describe('extension UI: the history timeline, live, from the Instances view (code-server + Chromium)', function () {
  this.timeout(10 * 60_000);
  const session = useSampleUi('timeline', { width: 1600, height: 1000 });

  it('opens a waiting instance from its row, raises its event from the panel, and shows the event and the completion live', async () => {
    const page = session().page;
    await clickActivityBar(page, 'Durable Functions');
    await runCommand(page, 'Durable: Start Emulator');
    await waitForTreeRow(page, 'Functions', 'BudgetApproval');

    await startOrchestration(page, 'BudgetApproval', '{"amount": 5000}', INSTANCE, false);
    const row = await instanceRow(page, INSTANCE, 'sync');
    const clicked = Date.now();
    await row.click();

    const frame = timelineFrame(page);
    await statusBadge(frame, 'Running');
    await frame.locator('body[data-state="ready"]').waitFor({ state: 'attached' });
    console.log(`      click on the row → the timeline drawn: ${Date.now() - clicked} ms`);
    await page.locator('.tab', { hasText: `BudgetApproval · ${INSTANCE}` }).first().waitFor({ state: 'visible' });
    await frame.locator('.meta-item.waiting', { hasText: 'BudgetApproved' }).waitFor({ state: 'visible' });
    await frame.locator('.overlay .now-line').waitFor({ state: 'attached' });
    await screenshot(page, 'timeline-1-running');

    // The panel's button runs Durable: Raise Event for this instance: its prompts come up in the workbench.
    await frame.locator('.action[data-command="raiseEvent"]').click();
    await pick(page, `Raise event on ${INSTANCE}`, 'BudgetApproved');
    await answer(page, `Raise BudgetApproved on ${INSTANCE}: payload`, '{"approved": true, "by": "ui test"}');
    const raised = Date.now();

    // Live: the pushes reach the open page; no reload.
    await frame.locator('.lane .marker[data-kinds*="eventRaised"]').first().waitFor({ state: 'visible' });
    await statusBadge(frame, 'Completed');
    await frame.locator('.lane .marker[data-kinds*="completed"]').first().waitFor({ state: 'visible' });
    console.log(`      Enter on the payload → EventRaised and completion shown in the panel: ${Date.now() - raised} ms`);
    await expectEventually(async () => assert.equal(await frame.locator('.overlay .now-line').count(), 0, 'no now line once completed'));
    await frame.locator('.payload-card[data-payload="output"]', { hasText: 'approved' }).waitFor({ state: 'visible' });
    await frame.locator('.lane .marker[data-kinds*="eventRaised"]').first().click();
    await frame.locator('.details [data-payload="marker"] pre', { hasText: '"by": "ui test"' }).waitFor({ state: 'visible' });
    await instanceRow(page, INSTANCE, 'check');
    await screenshot(page, 'timeline-2-completed');

    // Context menu: Show History reveals the panel already open (one panel per instance).
    await (await waitForTreeRow(page, 'Instances', INSTANCE)).click({ button: 'right' });
    await page.locator('.context-view .action-item', { hasText: /^Show History$/ }).first().click();
    await expectEventually(async () => assert.equal(await page.locator('.tab', { hasText: INSTANCE }).count(), 1));
    await statusBadge(frame, 'Completed');
  });

  it('comes back after a window reload (serializer) and fills in once the emulator runs', async () => {
    const page = session().page;
    await page.reload({ waitUntil: 'domcontentloaded' });
    await waitForWorkbench(page);
    await page.locator('.tab', { hasText: `BudgetApproval · ${INSTANCE}` }).first().waitFor({ state: 'visible' });
    // The emulator went with the old extension host: the page waits, with its actions hidden.
    await timelineFrame(page).locator('h1', { hasText: /Loading|Waiting for the emulator/ }).waitFor({ state: 'visible' });
    await screenshot(page, 'timeline-3-restored-emulator-stopped');
    // The reload ended the extension host and so the emulator it started: start it again (same data folder).
    await runCommand(page, 'Durable: Start Emulator');
    const frame = timelineFrame(page);
    await statusBadge(frame, 'Completed');
    await frame.locator('.lane .marker[data-kinds*="eventRaised"]').first().waitFor({ state: 'visible' });
    await screenshot(page, 'timeline-3-after-reload');
    assert.ok(fs.existsSync(path.join(ARTIFACTS, 'timeline-3-after-reload.png')));
  });
});
