/**
 * The timeline webview's behaviour over time in headless Chromium: keyboard navigation, zoom and pan,
 * live updates (appends, gaps, resets, status changes) keeping zoom and selection, paging a 10,000-event
 * history with few DOM rows, and state restored after a reload (the webview serializer's getState).
 */
import * as assert from 'node:assert/strict';
import { startHarness, TimelinePage } from './support/browser';
import type { Harness } from './support/browser';
import { loadFixture } from './support/fixtures';
import type { TimelineFixture } from './support/fixtures';

const debug = <T>(p: TimelinePage, probe: string): Promise<T> => p.page.evaluate((name) => (globalThis as any).timelineDebug[name](), probe);
const activeClass = (p: TimelinePage) => p.page.evaluate(() => (globalThis as any).document.activeElement?.className ?? '');

describe('timeline webview: interaction, live updates, big histories', function () {
  let harness: Harness;
  let page: TimelinePage | undefined;

  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness?.close();
  });
  afterEach(async function () {
    if (!page) return;
    const errors = page.errors.slice();
    const csp = await page.cspViolations().catch(() => []);
    await page.close();
    page = undefined;
    if (this.currentTest?.state === 'passed') {
      assert.deepEqual(errors, []);
      assert.deepEqual(csp, []);
    }
  });

  it('keyboard: arrows move through rows, right/left expand and collapse retries, Enter opens the details, Escape returns', async () => {
    page = await TimelinePage.open(harness);
    const p = page;
    await p.init(loadFixture('retry'));
    await p.page.focus('.gantt-scroll');
    await p.page.keyboard.press('ArrowDown');
    assert.deepEqual(await debug(p, 'selection'), { markerId: 'm:22', eventIndex: 22 }, 'the first row steps through the markers');
    await p.page.keyboard.press('ArrowDown');
    assert.deepEqual(await debug(p, 'selection'), { itemId: 'activity:0', attempt: undefined });
    await p.page.keyboard.press('ArrowRight');
    assert.equal((await p.rows()).length, 5, 'expanded');
    assert.equal(await p.page.getAttribute('.row[data-item-id="activity:0"]:not([data-attempt])', 'aria-expanded'), 'true');
    await p.page.keyboard.press('ArrowRight');
    assert.deepEqual(await debug(p, 'selection'), { itemId: 'activity:0', attempt: 0 });
    await p.page.keyboard.press('ArrowDown');
    assert.deepEqual(await debug(p, 'selection'), { itemId: 'activity:0', attempt: 1 });
    const selectedRow = await p.page.$eval('.row.selected', (r: any) => {
      const style = (globalThis as any).getComputedStyle(r);
      return { key: r.dataset.key, outline: style.outlineStyle, active: (globalThis as any).document.querySelector('.gantt-scroll').getAttribute('aria-activedescendant') === r.id };
    });
    assert.deepEqual(selectedRow, { key: 'activity:0#2', outline: 'solid', active: true }, 'focus outline and aria-activedescendant on the selected row');
    await p.page.keyboard.press('ArrowLeft');
    assert.deepEqual(await debug(p, 'selection'), { itemId: 'activity:0', attempt: undefined });
    await p.page.keyboard.press('ArrowLeft');
    assert.equal((await p.rows()).length, 2, 'collapsed');
    await p.page.keyboard.press('Enter');
    assert.match(await activeClass(p), /details-body/);
    await p.page.keyboard.press('Escape');
    assert.match(await activeClass(p), /gantt-scroll/);
    // Zoom keys.
    const fit = await debug<number>(p, 'pxPerMs');
    await p.page.keyboard.press('+');
    assert.ok((await debug<number>(p, 'pxPerMs')) > fit * 1.5);
    await p.page.keyboard.press('0');
    assert.equal(await debug<number>(p, 'pxPerMs'), fit);
    // The table: arrows, Home/End, Enter.
    await p.page.focus('.table-scroll');
    await p.page.keyboard.press('Home');
    assert.equal((await debug<{ eventIndex: number }>(p, 'selection')).eventIndex, 0);
    await p.page.keyboard.press('ArrowDown');
    await p.page.keyboard.press('ArrowDown');
    assert.deepEqual(await debug(p, 'selection'), { eventIndex: 2, itemId: 'activity:0', attempt: 0 }, 'the event selects its attempt');
    await p.page.keyboard.press('End');
    assert.equal((await debug<{ eventIndex: number }>(p, 'selection')).eventIndex, 23);
    assert.equal(await p.page.getAttribute('.table-scroll', 'aria-activedescendant'), 'ev-row-23');
    await p.page.keyboard.press('Enter');
    assert.match(await activeClass(p), /details-body/);
  });

  it('zoom with ctrl+wheel and the buttons, pan by dragging', async () => {
    page = await TimelinePage.open(harness);
    const p = page;
    await p.init(loadFixture('fanout'));
    const fit = await debug<number>(p, 'pxPerMs');
    const box = (await p.page.$('.gantt-scroll'))!;
    const rect = (await box.boundingBox())!;
    await p.page.mouse.move(rect.x + rect.width * 0.6, rect.y + 150);
    await p.page.keyboard.down('Control');
    await p.page.mouse.wheel(0, -400);
    await p.page.keyboard.up('Control');
    await p.page.waitForFunction((f) => (globalThis as any).timelineDebug.pxPerMs() > f * 1.5, fit);
    const zoomed = await debug<{ pxPerMs: number; scrollLeft: number }>(p, 'zoom');
    assert.ok(zoomed.scrollLeft > 0, 'kept the time under the pointer in place');
    await p.page.mouse.move(rect.x + rect.width * 0.6, rect.y + rect.height - 20);
    await p.page.mouse.down();
    await p.page.mouse.move(rect.x + rect.width * 0.6 + 120, rect.y + rect.height - 20, { steps: 5 });
    await p.page.mouse.up();
    const panned = await debug<{ scrollLeft: number }>(p, 'zoom');
    assert.ok(Math.abs(panned.scrollLeft - (zoomed.scrollLeft - 120)) < 3, `dragged by 120 px (${zoomed.scrollLeft} → ${panned.scrollLeft})`);
    await p.page.click('button[title="Zoom out (-)"]');
    assert.ok((await debug<number>(p, 'pxPerMs')) < zoomed.pxPerMs);
    await p.page.click('button[title="Fit to width (0)"]');
    assert.equal(await debug<number>(p, 'pxPerMs'), fit);
  });

  it('live: appended events appear while running, keeping zoom, scroll and selection; the now line goes when it completes', async () => {
    const full = loadFixture('sequence');
    const events = full.history.events;
    const running: TimelineFixture = {
      description: 'running',
      instance: { ...full.instance, runtimeStatus: 'Running', completedTime: null, output: null },
      history: { ...full.history, events: events.slice(0, 8), total: 8 },
    };
    page = await TimelinePage.open(harness);
    const p = page;
    const now = new Date(Date.parse(events[7].Timestamp) + 40).toISOString();
    await p.init(running, { now });
    assert.equal(await p.page.$$eval('.overlay .now-line', (l) => l.length), 1, 'a now line while it runs');
    assert.deepEqual((await p.rows()).map((r) => r.outcome), ['pending', 'completed', 'pending']);
    await p.screenshot('live-running-dark');
    await p.page.click('button[title="Zoom in (+)"]');
    await p.page.click('button[title="Zoom in (+)"]');
    await p.page.click('.row[data-item-id="activity:0"] .bar');
    await p.page.evaluate(() => ((globalThis as any).document.querySelector('.gantt-scroll').scrollLeft = 40));
    await p.page.waitForTimeout(50);
    const zoom = await debug<{ pxPerMs: number; scrollLeft: number }>(p, 'zoom');
    const send = (from: number, to: number) => p.send({ type: 'historyAppended', instanceId: full.instance.instanceId, executionId: full.history.executionId, from, events: events.slice(from, to), reset: false });
    await send(8, 12);
    await p.page.waitForFunction(() => (globalThis as any).timelineDebug.eventCount() === 12);
    await p.page.waitForFunction(() => (globalThis as any).document.querySelectorAll('.gantt .row[data-kind="activity"]').length === 3);
    await send(10, 16); // overlaps what it has: the overlap is ignored
    await p.send({ type: 'instanceUpdated', instance: full.instance });
    await p.page.waitForFunction(() => (globalThis as any).timelineDebug.eventCount() === 16);
    await p.page.waitForFunction(() => (globalThis as any).document.querySelectorAll('.overlay .now-line').length === 0);
    const rows = await p.rows();
    assert.deepEqual(rows.map((r) => r.outcome), ['completed', 'completed', 'completed', 'completed']);
    assert.deepEqual(rows.filter((r) => r.selected).map((r) => r.itemId), ['activity:0'], 'selection kept');
    assert.deepEqual(await debug(p, 'zoom'), zoom, 'zoom and scroll kept');
    assert.equal(await p.page.textContent('.badge.status'), 'Completed');
    assert.equal(await p.page.textContent('.details [data-payload="result"] pre'), '"Hello Tokyo!"');
    // A gap makes the page ask for what it misses; a reset replaces the history.
    await p.clearPosted();
    await p.page.evaluate(() => ((globalThis as any).__vscodeHost.autoPage = false));
    await p.send({ type: 'historyAppended', instanceId: full.instance.instanceId, executionId: full.history.executionId, from: 20, events: events.slice(0, 2), reset: false });
    const req = (await p.waitForPosted('requestHistory')).at(-1)!;
    assert.deepEqual([req.from, req.instanceId], [16, full.instance.instanceId]);
    await p.send({ type: 'historyAppended', instanceId: full.instance.instanceId, executionId: full.history.executionId, from: 0, events: events.slice(0, 4), reset: true });
    await p.page.waitForFunction(() => (globalThis as any).timelineDebug.eventCount() === 4);
    await p.page.waitForFunction(() => (globalThis as any).document.querySelectorAll('.gantt .row').length === 2);
    assert.deepEqual((await p.rows()).map((r) => r.kind), ['orchestration', 'activity']);
  });

  it('a new execution (continue-as-new) pushed live replaces the timeline', async () => {
    const first = loadFixture('continue-as-new-first');
    const current = { ...first.instance, executionId: first.history.executionId, runtimeStatus: 'Running' as const, completedTime: null };
    page = await TimelinePage.open(harness);
    const p = page;
    await p.init({ ...first, instance: current });
    assert.deepEqual(await p.markerKinds(), ['continuedAsNew']);
    const next = loadFixture('sequence').history.events.slice(0, 4);
    await p.send({ type: 'historyAppended', instanceId: first.instance.instanceId, executionId: 'next-execution', from: 0, events: next, reset: true });
    await p.page.waitForFunction(() => (globalThis as any).timelineDebug.eventCount() === 4);
    assert.deepEqual((await p.markerKinds()).length, 0);
    assert.equal((await p.rows()).filter((r) => r.kind === 'activity').length, 1);
  });

  it('10,000 events: paged in, rendered with few DOM rows, scrollable to the end, filterable', async () => {
    const big = loadFixture('big-10000');
    page = await TimelinePage.open(harness, { width: 1600, height: 1000 });
    const p = page;
    await p.init(big, { firstPage: 1000 });
    const requests = await p.posted('requestHistory');
    assert.deepEqual(requests.map((r) => r.from), [1000, 6000], 'the rest in pages of 5,000');
    assert.equal(await debug(p, 'eventCount'), 10000);
    const m = await p.metrics();
    console.log(`      10,000 events: first paint ${m.firstPaint.toFixed(0)} ms, interactive ${m.interactive.toFixed(0)} ms after init (in-page), last model build ${m.lastBuildMs.toFixed(0)} ms`);
    const counts = await debug<{ timeline: number; table: number }>(p, 'renderedRows');
    assert.ok(counts.timeline < 80 && counts.table < 80, `few rows in the DOM: ${JSON.stringify(counts)}`);
    const nodes = await p.page.evaluate(() => (globalThis as any).document.getElementsByTagName('*').length);
    assert.ok(nodes < 6000, `DOM nodes: ${nodes}`);
    assert.equal(await p.page.textContent('.history .count'), '10,000 events');
    // Scroll the timeline to the bottom: the last rows are rendered, still few of them.
    await p.page.evaluate(() => {
      const s = (globalThis as any).document.querySelector('.gantt-scroll');
      s.scrollTop = s.scrollHeight;
    });
    await p.page.waitForFunction(() => Array.from((globalThis as any).document.querySelectorAll('.gantt .row')).some((r: any) => r.querySelector('.name')?.textContent === 'Archive'));
    assert.ok((await debug<{ timeline: number }>(p, 'renderedRows')).timeline < 80);
    await p.page.focus('.table-scroll');
    await p.page.keyboard.press('End');
    assert.equal((await debug<{ eventIndex: number }>(p, 'selection')).eventIndex, 9999);
    assert.ok(await p.page.$('#ev-row-9999'));
    await p.page.fill('.history .filter', 'flakycall taskscheduled');
    await p.page.waitForFunction(() => /of 10,000 events/.test((globalThis as any).document.querySelector('.history .count').textContent));
    const expected = big.history.events.filter((e) => e.EventType === 4 && e.Name === 'FlakyCall').length;
    assert.equal(await p.page.textContent('.history .count'), `${expected.toLocaleString('en-US')} of 10,000 events`);
    await p.screenshot('big-10000-dark');
  });

  it('state survives a reload: zoom, selection, filter and the instance come back from getState', async () => {
    page = await TimelinePage.open(harness);
    const p = page;
    const fixture = loadFixture('retry');
    await p.init(fixture);
    await p.page.click('button[title="Zoom in (+)"]');
    await p.page.click('.row[data-item-id="activity:0"] .bar');
    await p.page.fill('.history .filter', 'failed');
    // The state is saved shortly after changes (batched).
    await p.page.waitForFunction(() => (globalThis as any).__vscodeHost.state()?.filter === 'failed');
    const zoom = await debug<{ pxPerMs: number }>(p, 'zoom');
    const state = await p.page.evaluate(() => (globalThis as any).__vscodeHost.state());
    assert.equal(state.instanceId, 'retry-k1');
    assert.equal(state.filter, 'failed');
    assert.equal(state.selection.itemId, 'activity:0');
    await p.reload();
    const ready = (await p.posted('ready'))[0];
    assert.equal((ready.state as { instanceId: string }).instanceId, 'retry-k1', 'ready carries the state for the serializer');
    await p.init(fixture);
    assert.equal((await debug<{ pxPerMs: number }>(p, 'zoom')).pxPerMs, zoom.pxPerMs);
    assert.equal((await debug<{ itemId: string }>(p, 'selection')).itemId, 'activity:0');
    assert.equal(await p.page.inputValue('.history .filter'), 'failed');
    assert.equal(await p.page.textContent('.history .count'), '2 of 24 events');
  });

  it('before the first init (a restored tab, emulator stopped): no actions, no bars, a banner', async () => {
    page = await TimelinePage.open(harness);
    const p = page;
    await p.waitForPosted('ready');
    await p.send({ type: 'connection', connected: false });
    await p.page.getByText('The emulator is not running').waitFor({ state: 'visible' });
    const visibleActions = await p.page.locator('header .actions button.action:visible').count();
    assert.equal(visibleActions, 0);
    assert.deepEqual(await p.rows(), []);
  });

  it('the extension can select an event or a task', async () => {
    page = await TimelinePage.open(harness);
    const p = page;
    await p.init(loadFixture('fanout'));
    await p.send({ type: 'select', sequenceId: 7 });
    assert.equal((await debug<{ itemId: string }>(p, 'selection')).itemId, 'activity:7');
    await p.send({ type: 'select', eventIndex: 30 });
    assert.equal((await debug<{ eventIndex: number }>(p, 'selection')).eventIndex, 30);
    assert.ok(await p.page.$('.trow.selected[data-index="30"]'));
  });
});
