/**
 * The timeline webview in headless Debian Chromium: each fixture history is sent in as the extension would
 * (init, then pages), and what the page shows is asserted: bars, labels, outcomes, retry groups, markers,
 * failure details, sub-orchestration drill-down, the history table, and the messages the page posts.
 * Screenshots in light, dark and high-contrast go to test-artifacts/webview/.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { startHarness, TimelinePage } from './support/browser';
import type { Harness } from './support/browser';
import { loadFixture } from './support/fixtures';
import { entityFixture } from './support/generate';

describe('timeline webview: rendering the fixtures', function () {
  let harness: Harness;
  let page: TimelinePage | undefined;

  before(async function () {
    harness = await startHarness();
  });
  after(async () => {
    await harness?.close();
  });
  afterEach(async function () {
    if (page) {
      const errors = page.errors.slice();
      const csp = await page.cspViolations().catch(() => []);
      await page.close();
      page = undefined;
      if (this.currentTest?.state === 'passed') {
        assert.deepEqual(errors, [], 'no page errors');
        assert.deepEqual(csp, [], 'no CSP violations');
      }
    }
  });

  const open = async (fixture: string, theme: 'dark' | 'light' | 'high-contrast' = 'dark') => {
    page = await TimelinePage.open(harness, { theme });
    await page.init(loadFixture(fixture));
    return page;
  };

  it('a sequence: three activity bars in order, with outcomes, durations and the header', async () => {
    const p = await open('sequence');
    const rows = await p.rows();
    assert.deepEqual(rows.map((r) => r.kind), ['orchestration', 'activity', 'activity', 'activity']);
    assert.deepEqual(rows.map((r) => r.label), ['HelloSequence', 'SayHello', 'SayHello', 'SayHello']);
    assert.deepEqual(rows.map((r) => r.outcome), ['completed', 'completed', 'completed', 'completed']);
    assert.ok(rows.slice(1).every((r) => r.bars === 1 && /\d+ ms/.test(r.text)), 'one bar each with its duration');
    // Bars one after the other.
    const lefts = await p.page.$$eval('.row[data-kind="activity"] .bar', (bars) => bars.map((b: any) => b.getBoundingClientRect().left));
    assert.ok(lefts[0] < lefts[1] && lefts[1] < lefts[2]);
    const header = await p.page.textContent('.instance-header');
    assert.match(header!, /HelloSequence/);
    assert.match(header!, /Completed/);
    assert.match(header!, /seq-hello-1/);
    assert.match(header!, /Duration/);
    assert.equal(await p.page.textContent('.payload-card[data-payload="output"] .payload-preview'), '["Hello Tokyo!","Hello Seattle!","Hello London!"]');
    assert.deepEqual(await p.markerKinds(), ['completed']);
    // Click the second bar: the details show its input and result, pretty-printed, copyable.
    await p.page.click('.row[data-item-id="activity:1"] .bar');
    assert.equal(await p.page.textContent('.details [data-payload="input"] pre'), '"Seattle"');
    assert.equal(await p.page.textContent('.details [data-payload="result"] pre'), '"Hello Seattle!"');
    await p.page.click('.details [data-payload="result"] .copy');
    const copies = await p.posted('copy');
    assert.deepEqual(copies.at(-1), { type: 'copy', text: '"Hello Seattle!"', what: 'result' });
    assert.equal(await p.page.textContent('.table-scroll .count, .history .count'), '16 events');
  });

  it('a fan-out: twenty parallel Echo bars scheduled at the same time', async () => {
    const p = await open('fanout', 'light');
    const rows = await p.rows();
    assert.equal(rows.filter((r) => r.kind === 'activity').length, 20);
    assert.ok(rows.filter((r) => r.kind === 'activity').every((r) => r.label === 'Echo' && r.outcome === 'completed'));
    const lefts = await p.page.$$eval('.row[data-kind="activity"] .bar', (bars) => bars.map((b: any) => Math.round(b.getBoundingClientRect().left)));
    assert.equal(new Set(lefts).size, 1, 'all start together');
    assert.equal(await p.page.textContent('.payload-card[data-payload="output"] .payload-preview'), '190');
    await p.screenshot('fanout-light');
  });

  it('a timer/event race: the timer is cancelled and the Go event is a marker with its data', async () => {
    const p = await open('race');
    const rows = await p.rows();
    assert.deepEqual(rows.slice(1).map((r) => [r.kind, r.outcome, r.label]), [['timer', 'cancelled', 'Timer 5.00 s']]);
    assert.match(rows[1].text, /cancelled/);
    assert.deepEqual(await p.markerKinds(), ['eventRaised', 'completed']);
    await p.page.click('.lane .marker[data-marker-kind="eventRaised"]');
    assert.match((await p.page.textContent('.details .details-title'))!, /Go/);
    assert.equal(await p.page.textContent('.details [data-payload="marker"] pre'), '{\n  "approved": true,\n  "by": "alice"\n}');
    // The marker's event is selected in the table.
    assert.deepEqual(await p.page.$$eval('.trow.selected', (r) => r.map((x: any) => x.dataset.index)), ['5']);
    // The event and the completion are 12 ms apart: one button for both, pressing it again shows the next.
    assert.equal(await p.page.getAttribute('.lane .marker', 'data-cluster-ids'), 'm:5,m:6');
    assert.equal(await p.page.textContent('.lane .marker .marker-count'), '2');
    await p.page.click('.lane .marker');
    assert.match((await p.page.textContent('.details .details-title'))!, /Completed/);
    assert.equal(await p.page.textContent('.details [data-payload="marker"] pre'), '"event:[object Object]"');
    const timeout = loadFixture('race-timeout');
    await p.init(timeout);
    assert.deepEqual((await p.rows()).slice(1).map((r) => [r.kind, r.outcome]), [['timer', 'completed']]);
  });

  it('a retry chain: one row with ×3, expandable into its three attempts with the retry delays', async () => {
    const p = await open('retry');
    let rows = await p.rows();
    assert.equal(rows.length, 2);
    assert.equal(rows[1].label, 'FailTimes');
    assert.equal(rows[1].outcome, 'completed');
    assert.equal(await p.page.textContent('.row[data-item-id="activity:0"] .badge.attempts'), '×3');
    assert.deepEqual(await p.page.$$eval('.row[data-item-id="activity:0"] .bar:not(.retry-delay)', (b) => b.map((x: any) => x.className.match(/o-(\w+)/)[1])), ['failed', 'failed', 'completed']);
    assert.equal(await p.page.$$eval('.row[data-item-id="activity:0"] .bar.retry-delay', (b) => b.length), 2);
    assert.match(rows[1].text, /3 attempts/);
    await p.page.click('.row[data-item-id="activity:0"] .twisty');
    rows = await p.rows();
    assert.deepEqual(rows.slice(2).map((r) => [r.label, r.outcome]), [['Attempt 1', 'failed'], ['Attempt 2', 'failed'], ['Attempt 3', 'completed']]);
    await p.page.click('.row[data-key="activity:0#2"] .bar');
    assert.match((await p.page.textContent('.details .details-sub'))!, /showing attempt 2/);
    assert.equal(await p.page.textContent('.details .error-message'), 'Error: attempt 2 failed');
    assert.deepEqual(await p.page.$$eval('.details .attempts-list li', (li) => li.map((x: any) => x.querySelector('.attempt-link').textContent)), ['Attempt 1', 'Attempt 2', 'Attempt 3']);
    await p.screenshot('retry-dark');
    const exhausted = loadFixture('retry-exhausted');
    await p.init(exhausted);
    rows = await p.rows();
    assert.deepEqual(rows.slice(1).map((r) => [r.label, r.outcome]), [['FailTimes', 'failed']]);
  });

  it('a failure: the failed bar, the failure marker and the failure details; Rewind offered', async () => {
    const p = await open('failure');
    const rows = await p.rows();
    assert.deepEqual(rows.map((r) => r.outcome), ['failed', 'failed']);
    assert.deepEqual(await p.markerKinds(), ['failed']);
    assert.equal(await p.page.getAttribute('.payload-card[data-payload="failure"]', 'open'), '');
    assert.match((await p.page.textContent('.payload-card[data-payload="failure"] pre'))!, /^Error: boom\n\s+at handler/);
    assert.equal(await p.page.isVisible('.action-rewind'), true);
    assert.equal(await p.page.isVisible('.action-terminate'), false);
    await p.page.click('.row[data-item-id="activity:0"] .bar');
    assert.equal(await p.page.textContent('.details .error-message'), 'Error: boom');
    assert.match((await p.page.textContent('.details .stack'))!, /activities\.js:27/);
    await p.page.click('.lane .marker[data-marker-kind="failed"]');
    assert.equal(await p.page.textContent('.details .error-message'), 'Error: boom');
  });

  it('sub-orchestrations: one bar per child; the open button posts openInstance; the child shows its parent and a way back', async () => {
    const fixture = loadFixture('suborchestration');
    const p = await open('suborchestration');
    const rows = await p.rows();
    assert.deepEqual(rows.slice(1).map((r) => [r.kind, r.label, r.outcome]), [
      ['subOrchestration', 'HelloSequence', 'completed'],
      ['subOrchestration', 'ChildWithId', 'completed'],
    ]);
    await p.page.click('.row[data-item-id="subOrchestration:1"] .bar-open');
    assert.deepEqual((await p.posted('openInstance')).at(-1), { type: 'openInstance', instanceId: 'child-parent-1', fromInstanceId: 'parent-1', via: 'child' });
    // Double-clicking the bar and the details' button do the same.
    await p.page.dblclick('.row[data-item-id="subOrchestration:0"] .bar');
    assert.equal((await p.posted('openInstance')).at(-1)!.instanceId, 'parent-1:0');
    await p.page.click('.row[data-item-id="subOrchestration:1"] .bar');
    await p.page.click('.details .open-instance');
    assert.equal((await p.posted('openInstance')).at(-1)!.instanceId, 'child-parent-1');
    // The extension answers with the child's timeline.
    const child = fixture.children!['child-parent-1'];
    await p.init({ description: 'child', ...child });
    assert.match((await p.page.textContent('.instance-header h1'))!, /ChildWithId/);
    await p.page.click('.parent-link');
    assert.deepEqual((await p.posted('openInstance')).at(-1), { type: 'openInstance', instanceId: 'parent-1', fromInstanceId: 'child-parent-1', via: 'parent' });
    await p.page.click('.instance-header .back');
    assert.deepEqual((await p.posted('openInstance')).at(-1), { type: 'openInstance', instanceId: 'parent-1', via: 'back' });
    await p.init(fixture);
    assert.equal(await p.page.isVisible('.instance-header .back'), false, 'back at the top of the stack');
    const failed = loadFixture('suborchestration-failed');
    await p.init(failed);
    assert.deepEqual((await p.rows()).slice(1).map((r) => [r.kind, r.outcome]), [['subOrchestration', 'failed']]);
  });

  it('callHttp and entity calls: their own kinds, labels and results', async () => {
    const p = await open('callhttp');
    let rows = await p.rows();
    assert.equal(rows[1].kind, 'http');
    assert.match(rows[1].label, /^GET http:\/\/127\.0\.0\.1:\d+\/api\/hello\/timeline$/);
    assert.match(rows[1].text, /^200 · \d+ ms$/);
    await p.init(entityFixture());
    rows = await p.rows();
    assert.deepEqual(rows.slice(1).map((r) => [r.kind, r.label, r.outcome]), [
      ['entity', 'counter@c1 · add', 'completed'],
      ['entity', 'counter@c1 · reset', 'completed'],
      ['entity', 'counter@c1 · divide', 'failed'],
    ]);
    await p.page.click('.row[data-item-id="entity:2"] .bar');
    assert.equal(await p.page.textContent('.details .error-message'), 'RangeError: division by zero');
  });

  it('suspend, resume, terminate: markers, the suspended interval, the termination reason', async () => {
    const p = await open('terminated', 'high-contrast');
    assert.deepEqual(await p.markerKinds(), ['suspended', 'resumed', 'terminated']);
    assert.equal(await p.page.$$eval('.overlay .suspension', (s) => s.length), 1);
    assert.equal(await p.page.textContent('.badge.status'), 'Terminated');
    await p.page.click('.lane .marker[data-marker-kind="terminated"]');
    assert.equal(await p.page.textContent('.details [data-payload="marker"] pre'), '"no longer needed"');
    await p.screenshot('terminated-high-contrast');
  });

  it('continue-as-new: the marker, and the executions picker asks for an older execution', async () => {
    const p = await open('continue-as-new-first');
    assert.deepEqual(await p.markerKinds(), ['continuedAsNew']);
    assert.equal(await p.page.$$eval('select.execution option', (o) => o.length), 2);
    const fixture = loadFixture('continue-as-new-first');
    await p.page.evaluate(() => ((globalThis as any).__vscodeHost.autoPage = false));
    await p.page.selectOption('select.execution', fixture.instance.executionId);
    const req = (await p.waitForPosted('requestHistory')).at(-1)!;
    assert.equal(req.instanceId, 'can-timer-1');
    assert.equal(req.from, 0);
  });

  it('the history table: filter, count, payload previews', async () => {
    const p = await open('retry');
    assert.equal(await p.page.textContent('.history .count'), '24 events');
    await p.page.fill('.history .filter', 'taskfailed');
    await p.page.waitForFunction(() => (globalThis as any).document.querySelectorAll('.tbody .trow').length === 2);
    assert.deepEqual(await p.page.$$eval('.tbody .trow .type', (c) => c.map((x: any) => x.textContent)), ['TaskFailed', 'TaskFailed']);
    assert.equal(await p.page.textContent('.history .count'), '2 of 24 events');
    await p.page.fill('.history .filter', 'FailTimes id 4');
    await p.page.waitForFunction(() => (globalThis as any).document.querySelectorAll('.tbody .trow').length === 1);
    assert.equal(await p.page.textContent('.tbody .trow .ids'), 'id 4');
    await p.page.press('.history .filter', 'Escape');
    await p.page.waitForFunction(() => (globalThis as any).document.querySelector('.history .count').textContent === '24 events');
  });

  it('table and timeline are linked: an event selects its bar, a bar highlights its events', async () => {
    const p = await open('sequence');
    await p.page.click('.trow[data-index="9"]'); // TaskCompleted of the second SayHello
    let rows = await p.rows();
    assert.deepEqual(rows.filter((r) => r.selected).map((r) => r.itemId), ['activity:1']);
    assert.equal(await p.page.textContent('.details [data-payload="result"] pre'), '"Hello Seattle!"');
    await p.page.click('.row[data-item-id="activity:2"] .bar');
    rows = await p.rows();
    assert.deepEqual(rows.filter((r) => r.selected).map((r) => r.itemId), ['activity:2']);
    assert.deepEqual(await p.page.$$eval('.trow.related', (r) => r.map((x: any) => Number(x.dataset.index))), [10, 13]);
    // Orchestrator events belong to no bar: the details show the raw event.
    await p.page.click('.trow[data-index="0"]');
    assert.match((await p.page.textContent('.details .details-title'))!, /#0 OrchestratorStarted/);
  });

  it('action buttons post the instance commands allowed in its status; export posts exportHistory', async () => {
    const p = await open('running');
    const visible = await p.page.$$eval('.actions .action:not([hidden])', (b) => b.map((x: any) => x.dataset.command ?? 'export'));
    assert.deepEqual(visible, ['raiseEvent', 'suspend', 'terminate', 'restart', 'export']);
    for (const name of ['raiseEvent', 'suspend', 'terminate', 'restart']) await p.page.click(`.action[data-command="${name}"]`);
    assert.deepEqual((await p.posted('command')).map((m) => [m.name, m.instanceId]), [
      ['raiseEvent', 'approval-1'], ['suspend', 'approval-1'], ['terminate', 'approval-1'], ['restart', 'approval-1'],
    ]);
    await p.page.click('.action-export');
    assert.deepEqual((await p.posted('exportHistory')).at(-1), { type: 'exportHistory', instanceId: 'approval-1', executionId: loadFixture('running').instance.executionId });
    assert.match((await p.page.textContent('.meta-item.waiting'))!, /Approval/);
    // Suspended: Resume instead of Suspend. Emulator gone: all disabled.
    await p.send({ type: 'instanceUpdated', instance: { ...loadFixture('running').instance, runtimeStatus: 'Suspended' } });
    assert.deepEqual(await p.page.$$eval('.actions .action:not([hidden])', (b) => b.map((x: any) => x.dataset.command ?? 'export')), ['raiseEvent', 'resume', 'terminate', 'restart', 'export']);
    await p.send({ type: 'connection', connected: false });
    assert.ok(await p.page.$eval('.action[data-command="resume"]', (b: any) => b.disabled));
    assert.match((await p.page.textContent('.banners'))!, /not running/);
    await p.send({ type: 'instanceGone', instanceId: 'approval-1' });
    assert.match((await p.page.textContent('.banners'))!, /no longer exists/);
  });

  it('screenshots in light, dark and high contrast', async () => {
    for (const theme of ['light', 'dark', 'high-contrast'] as const) {
      for (const [fixture, select] of [['retry', 'activity:0'], ['suborchestration', 'subOrchestration:1'], ['failure', 'activity:0'], ['race', null]] as const) {
        page = await TimelinePage.open(harness, { theme });
        await page.init(loadFixture(fixture));
        if (select) await page.page.click(`.row[data-item-id="${select}"] .bar`);
        const file = await page.screenshot(`${fixture}-${theme}`);
        assert.ok(fs.statSync(file).size > 10_000);
        assert.deepEqual(await page.cspViolations(), []);
        assert.deepEqual(page.errors, []);
        await page.close();
        page = undefined;
      }
    }
  });
});
