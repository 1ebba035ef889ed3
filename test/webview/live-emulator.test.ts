/**
 * End to end with the real emulator: this test plays the extension's part (control protocol client that
 * subscribes to an instance's history, fetches it, forwards init/pushes to the page and carries out the
 * page's commands), so the message contract is exercised with real pushes. A running WaitForApproval is
 * shown, its event is raised from the page's "Raise Event" button, and the event and the completion appear
 * live without reloading.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startHarness, TimelinePage } from './support/browser';
import type { Harness, PostedMessage } from './support/browser';
import { post, sleep, startEmulator } from './support/emulator';
import type { ConnectedEmulator } from './support/emulator';

describe('timeline webview with the real emulator (live)', function () {
  let harness: Harness;
  let emulator: ConnectedEmulator | undefined;
  let dataDir: string;
  let page: TimelinePage | undefined;
  let http = '';

  before(async function () {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-live-'));
    emulator = await startEmulator(dataDir);
    http = emulator.ready.http;
    harness = await startHarness();
  });
  after(async () => {
    await page?.close().catch(() => undefined);
    await emulator?.stop();
    await harness?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a waiting instance: Raise Event from the page, then the event and the completion appear live', async () => {
    const instanceId = `live-${Date.now()}`;
    await post(`${http}/runtime/webhooks/durabletask/orchestrators/WaitForApproval/${instanceId}`, { order: 7 });
    const c = emulator!.control;
    for (let i = 0; i < 100; i++) {
      const d = await c.request('instances.get', { instanceId }).catch(() => null);
      if (d?.waitingForEvents.includes('Approval')) break;
      await sleep(50);
    }

    // The extension side: subscribe first, then fetch, forward pushes, carry out commands.
    const commands: PostedMessage[] = [];
    let p!: TimelinePage;
    c.onPush(async (msg) => {
      if (!p) return;
      if (msg.topic === 'history' && msg.instanceId === instanceId) {
        await p.send({ type: 'historyAppended', instanceId, executionId: msg.executionId, from: msg.from, events: msg.events, reset: msg.reset });
      } else if (msg.topic === 'instances' && msg.changed.some((s: { instanceId: string }) => s.instanceId === instanceId)) {
        await p.send({ type: 'instanceUpdated', instance: await c.request('instances.get', { instanceId }) });
      }
    });
    await c.request('subscribe', { topics: ['history', 'instances'], instanceIds: [instanceId] });
    page = p = await TimelinePage.open(harness, {
      theme: 'dark',
      onPost: (m) => {
        if (m.type === 'command') {
          commands.push(m);
          // The real extension prompts for the event's name and data (the waiting one is offered first).
          if (m.name === 'raiseEvent') void c.request('instances.raiseEvent', { instanceId: m.instanceId as string, eventName: 'Approval', data: { approved: true, by: 'timeline' } });
        }
      },
    });
    const instance = await c.request('instances.get', { instanceId });
    const history = await c.request('instances.history', { instanceId, from: 0, limit: 5000 });
    await p.send({ type: 'init', instance, history, now: new Date().toISOString() });
    await p.waitReady();
    assert.equal(await p.page.textContent('.badge.status'), 'Running');
    assert.match((await p.page.textContent('.meta-item.waiting'))!, /Approval/);
    assert.equal(await p.page.$$eval('.overlay .now-line', (l) => l.length), 1);

    await p.page.click('.action[data-command="raiseEvent"]');
    assert.deepEqual(commands.map((m) => [m.name, m.instanceId]), [['raiseEvent', instanceId]]);
    await p.page.waitForFunction(() => (globalThis as any).document.querySelector('.badge.status')?.textContent === 'Completed', undefined, { timeout: 15_000 });
    await p.page.waitForFunction(() => Array.from((globalThis as any).document.querySelectorAll('.lane .marker')).some((m: any) => m.dataset.kinds.includes('completed')), undefined, { timeout: 15_000 });
    assert.deepEqual(await p.markerKinds(), ['eventRaised', 'completed']);
    assert.equal(await p.page.$$eval('.overlay .now-line', (l) => l.length), 0, 'no now line once completed');
    await p.page.click('.lane .marker[data-kinds*="eventRaised"]');
    assert.equal(await p.page.textContent('.details [data-payload="marker"] pre'), '{\n  "approved": true,\n  "by": "timeline"\n}');
    assert.match((await p.page.textContent('.history .count'))!, /^\d+ events$/);
    assert.deepEqual(p.errors, []);
    assert.deepEqual(await p.cspViolations(), []);
    await p.screenshot('live-emulator-completed-dark');
  });
});
