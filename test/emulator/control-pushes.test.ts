/**
 * Pushes of the WebSocket control channel against a real emulator process (scenarios fixture): coalesced
 * instances, ordered history, logs, the worker.
 */
import * as assert from 'node:assert/strict';
import { PushMessage } from '../../emulator/protocol/control';
import type { HistoryEvent } from '../../emulator/protocol/durable';
import { FINISHED, HistoryPush, TestClient, run, useControlClient, waitForStatus } from './support/controlClient';
import { RunningEmulator } from './support/emulatorProcess';
import { request as httpRequest, waitFor } from './support/httpClient';

describe('control channel (WebSocket): pushes', function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let client: TestClient;
  useControlClient((e, c) => ((emu = e), (client = c)));

  describe('pushes', () => {
    it('history pushes of a subscribed instance arrive in order with the right `from`', async () => {
      const watcher = await TestClient.connect(emu);
      const instanceId = `hist-${run}`;
      await watcher.call('subscribe', { topics: ['history'], instanceIds: [instanceId] });
      await client.call('instances.start', { name: 'FanOutFanIn', input: 30, instanceId });
      await waitForStatus(client, instanceId, FINISHED);
      const whole = await client.call('instances.history', { instanceId, limit: 5000 });
      await waitFor(() => {
        const pushes = watcher.pushes.filter((p): p is HistoryPush => p.topic === 'history');
        return pushes.reduce((n, p) => Math.max(n, p.from + p.events.length), 0) >= whole.total;
      }, 'every event to be pushed');
      const pushes = watcher.pushes.filter((p): p is HistoryPush => p.topic === 'history');
      const held: HistoryEvent[] = [];
      for (const p of pushes) {
        assert.equal(p.instanceId, instanceId);
        assert.equal(p.executionId, whole.executionId);
        assert.equal(p.reset, false);
        assert.equal(p.from, held.length, 'each push continues where the last one ended');
        held.push(...p.events);
      }
      assert.deepEqual(held, whole.events);
      // Appends are merged per flush: far fewer pushes than the episodes' appends would be.
      assert.ok(pushes.length < 10, `${pushes.length} history pushes`);
      assert.ok(!watcher.pushes.some((p) => p.topic === 'instances'), 'no instance pushes without that subscription');
      watcher.close();
    });

    it('history of a continue-as-new instance: a reset push starts each new execution at 0', async () => {
      const watcher = await TestClient.connect(emu);
      const instanceId = `hist-can-${run}`;
      await watcher.call('subscribe', { topics: ['history'], instanceIds: [instanceId] });
      await client.call('instances.start', { name: 'Counter', input: 0, instanceId });
      const done = await waitForStatus(client, instanceId, FINISHED);
      const last = await client.call('instances.history', { instanceId });
      await waitFor(
        () => watcher.pushes.some((p) => p.topic === 'history' && p.executionId === done.executionId && p.from + p.events.length >= last.total),
        'the last execution to be pushed',
      );
      const byExecution = new Map<string, HistoryEvent[]>();
      for (const p of watcher.pushes.filter((p): p is HistoryPush => p.topic === 'history')) {
        if (p.reset) byExecution.set(p.executionId, []);
        const held = byExecution.get(p.executionId) ?? [];
        byExecution.set(p.executionId, held);
        assert.equal(p.from, held.length);
        held.push(...p.events);
      }
      assert.deepEqual([...byExecution.keys()], done.executions.map((e) => e.executionId));
      assert.deepEqual(byExecution.get(done.executionId), last.events);
      watcher.close();
    });

    it('a rewind pushes a reset history', async () => {
      const watcher = await TestClient.connect(emu);
      const instanceId = `hist-rewind-${run}`;
      await watcher.call('subscribe', { topics: ['history'], instanceIds: [instanceId] });
      await client.call('instances.start', { name: 'FlakyNoRetry', input: { key: `ws-rewind-push-${run}`, failures: 1 }, instanceId });
      await waitForStatus(client, instanceId, ['Failed']);
      await client.call('instances.rewind', { instanceId });
      await waitForStatus(client, instanceId, ['Completed']);
      const whole = await client.call('instances.history', { instanceId });
      await waitFor(() => watcher.pushes.some((p) => p.topic === 'history' && p.reset), 'a reset push');
      await waitFor(
        () => watcher.pushes.some((p) => p.topic === 'history' && p.from + p.events.length >= whole.total),
        'the rewound history to be pushed',
      );
      let held: HistoryEvent[] = [];
      for (const p of watcher.pushes.filter((p): p is HistoryPush => p.topic === 'history')) {
        if (p.reset) held = held.slice(0, 0);
        assert.equal(p.from, held.length);
        held.push(...p.events);
      }
      assert.deepEqual(held, whole.events);
      watcher.close();
    });

    it('unsubscribe stops pushes', async () => {
      const watcher = await TestClient.connect(emu);
      await watcher.call('subscribe', { topics: ['instances'] });
      const { instanceId } = await client.call('instances.start', { name: 'HelloSequence' });
      await watcher.waitForInstance(instanceId, (s) => s.runtimeStatus === 'Completed');
      await watcher.call('unsubscribe', {});
      const before = watcher.pushes.length;
      const second = await client.call('instances.start', { name: 'HelloSequence' });
      await waitForStatus(client, second.instanceId, FINISHED);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(watcher.pushes.length, before);
      watcher.close();
    });

    it('logs: entries of the app and the host', async () => {
      const watcher = await TestClient.connect(emu);
      await watcher.call('subscribe', { topics: ['logs'] });
      const reply = await httpRequest('GET', `${emu.http}/api/hello/pushes`);
      assert.equal(reply.status, 200);
      const push = await watcher.waitForMessage(
        (m) => m.type === 'push' && m.topic === 'logs' && m.entries.some((e) => e.message.includes('Hello called for pushes')),
      );
      const entry = (push as Extract<PushMessage, { topic: 'logs' }>).entries.find((e) => e.message.includes('Hello called for pushes'))!;
      assert.equal(entry.source, 'Hello');
      assert.equal(entry.level, 'information');
      assert.ok(!Number.isNaN(Date.parse(entry.time)));
      watcher.close();
    });

    it('1,000 quick starts produce far fewer than 1,000 instance pushes, ending with every final state', async () => {
      const watcher = await TestClient.connect(emu);
      await watcher.call('subscribe', { topics: ['instances'] });
      const prefix = `load-${run}-`;
      const began = Date.now();
      const replies = await Promise.all(
        Array.from({ length: 1000 }, (_, i) => client.request('instances.start', { name: 'HelloSequence', instanceId: `${prefix}${i}` })),
      );
      assert.ok(replies.every((r) => r.ok));
      await waitFor(
        () => {
          const latest = watcher.latest();
          let completed = 0;
          for (let i = 0; i < 1000; i++) if (latest.get(`${prefix}${i}`)?.runtimeStatus === 'Completed') completed++;
          return completed === 1000;
        },
        'all 1,000 to be pushed as Completed',
        120_000,
        100,
      );
      const ms = Date.now() - began;
      const pushes = watcher.instancePushes().length;
      console.log(`      1,000 HelloSequences in ${ms} ms: ${pushes} instance pushes`);
      assert.ok(pushes < 1000 / 5, `${pushes} pushes`);
      for (const p of watcher.instancePushes()) {
        assert.ok(p.changed.length + p.removed.length <= 1000);
        assert.equal(new Set(p.changed.map((s) => s.instanceId)).size, p.changed.length, 'an instance at most once per push');
      }
      // At most one push per 100 ms (allowing for timer jitter).
      assert.ok(pushes <= Math.ceil(ms / 100) + 2, `${pushes} pushes in ${ms} ms`);
      const counted = await client.call('instances.list', { filter: { instanceIdPrefix: prefix, runtimeStatus: ['Completed'] }, pageSize: 1 });
      assert.equal(counted.total, 1000);
      watcher.close();
    });

    it('worker: exited, then ready and restarted, when an activity kills the worker', async () => {
      const watcher = await TestClient.connect(emu);
      await watcher.call('subscribe', { topics: ['worker'] });
      const { instanceId } = await client.call('instances.start', { name: 'ExitActivity' });
      await watcher.waitForMessage((m) => m.type === 'push' && m.topic === 'worker' && m.event === 'exited');
      const restarted = (await watcher.waitForMessage((m) => m.type === 'push' && m.topic === 'worker' && m.event === 'restarted')) as Extract<
        PushMessage,
        { topic: 'worker' }
      >;
      assert.ok(restarted.functions?.some((f) => f.name === 'HelloSequence'));
      const events = watcher.pushes.filter((p) => p.topic === 'worker').map((p) => (p as { event: string }).event);
      assert.deepEqual(events.slice(0, 3), ['exited', 'ready', 'restarted']);
      const exited = watcher.pushes.find((p) => p.topic === 'worker' && p.event === 'exited') as { message: string };
      assert.match(exited.message, /exited with code 3/);
      // The activity crashes the worker on each of its 3 attempts; each restart reloads the app.
      assert.equal((await waitForStatus(client, instanceId, FINISHED, 110_000)).runtimeStatus, 'Failed');
      const status = await client.call('status', {});
      assert.equal(status.app.state, 'ready');
      watcher.close();
    });
  });
});
