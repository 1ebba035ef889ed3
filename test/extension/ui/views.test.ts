/**
 * UI end to end: code-server with the packaged .vsix installed, driven by playwright-core in Debian Chromium,
 * on the approvals sample. From the command palette: start the emulator, start orchestrations, raise an event,
 * terminate one; the Instances view shows them appear and finish. Screenshots go to test-artifacts/.
 *
 *   npm run compile && npm run package && npx mocha --config test/extension/.mocharc.ui.json
 */
import * as assert from 'node:assert/strict';
import { clickActivityBar, runCommand, screenshot, treeRows, viewPane, waitForTreeRow } from '../../vscode/ui';
import { answer, instanceRow, pick, runPromptingCommand, startOrchestration } from './prompts';
import { useSampleUi } from './sampleUi';

const CONTAINER = 'Durable Functions';

describe('extension UI: the Durable views driven from the command palette (code-server + Chromium)', function () {
  this.timeout(10 * 60_000);
  const session = useSampleUi('views');

  it('starts the emulator, runs, completes, raises and terminates instances from the palette', async () => {
    const page = session().page;
    await clickActivityBar(page, CONTAINER);
    await viewPane(page, 'Instances').getByText('The Durable Functions emulator is not running.').waitFor({ state: 'visible' });
    await screenshot(page, 'extension-1-welcome');

    await runCommand(page, 'Durable: Start Emulator');
    await waitForTreeRow(page, 'Functions', 'Orchestrators');
    await waitForTreeRow(page, 'Functions', 'BudgetApproval');
    await page.locator('.part.statusbar').getByText(/Durable :\d+/).waitFor({ state: 'visible' });
    await screenshot(page, 'extension-2-emulator-running');

    // Auto-approved (small amount): appears and completes.
    const entered = await startOrchestration(page, 'BudgetApproval', '{"amount": 200}', 'ui-budget-small', false);
    await waitForTreeRow(page, 'Instances', 'ui-budget-small');
    console.log(`      Enter on the last prompt → its row drawn in the workbench: ${Date.now() - entered} ms`);
    await instanceRow(page, 'ui-budget-small', 'check');
    await waitForTreeRow(page, 'Instances', 'Completed');

    // A big amount waits for BudgetApproved: raise it from the palette.
    const entered2 = await startOrchestration(page, 'BudgetApproval', '{"amount": 5000}', 'ui-budget-big', true);
    await waitForTreeRow(page, 'Instances', 'ui-budget-big');
    console.log(`      (with the groups already drawn) Enter → row drawn: ${Date.now() - entered2} ms`);
    await instanceRow(page, 'ui-budget-big', 'sync');
    await waitForTreeRow(page, 'Instances', 'Running');
    await screenshot(page, 'extension-3-running-instance');
    await runPromptingCommand(page, 'Durable: Raise Event…');
    await pick(page, 'Durable: Raise Event: instance', 'ui-budget-big');
    await pick(page, 'Raise event on ui-budget-big', 'BudgetApproved');
    await answer(page, 'Raise BudgetApproved on ui-budget-big: payload', 'true');
    await instanceRow(page, 'ui-budget-big', 'check');

    // One that waits for A, B or C: terminate it from the palette.
    await startOrchestration(page, 'Select', '', 'ui-select', false);
    await instanceRow(page, 'ui-select', 'sync');
    await runPromptingCommand(page, 'Durable: Terminate Instance…');
    await pick(page, 'Durable: Terminate: instance', 'ui-select');
    await answer(page, 'Terminate ui-select', undefined);
    await instanceRow(page, 'ui-select', 'circle-slash');
    await waitForTreeRow(page, 'Instances', 'Terminated');

    const labels = [...new Set((await treeRows(page, 'Instances').locator('.label-name').allTextContents()).map((s) => s.trim()))];
    for (const expected of ['Completed', 'Terminated', 'ui-budget-small', 'ui-budget-big', 'ui-select']) assert.ok(labels.includes(expected), `${expected} in ${labels}`);
    // For the README: a wider side bar, then an instance's tooltip (input, output, times).
    const sidebar = await page.locator('.part.sidebar').boundingBox();
    if (sidebar) {
      const [x, y] = [sidebar.x + sidebar.width + 1, sidebar.y + sidebar.height / 3];
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(x + 200, y, { steps: 8 });
      await page.mouse.up();
      await page.mouse.move(x + 600, y);
    }
    await screenshot(page, 'extension-views');
    await (await waitForTreeRow(page, 'Instances', 'ui-budget-big')).hover();
    await page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'ui-budget-big' }).first().waitFor({ state: 'visible' });
    await screenshot(page, 'extension-tooltip');

    // The emulator's and the app's logs stream into the output channel.
    await runCommand(page, 'Durable: Show Emulator Logs');
    // Any log line will do: the output follows the end of the log, so early lines may have scrolled away.
    await page.locator('.part.panel .view-lines .view-line').getByText(/\d{2}:\d{2}:\d{2}/).first().waitFor({ state: 'visible' });
    await screenshot(page, 'extension-logs');
  });
});
