/** Every method of the WebSocket control channel against a real emulator process (scenarios fixture). */
import * as assert from 'node:assert/strict';
import type { HistoryEvent } from '../../emulator/protocol/durable';
import { FINISHED, InstancesPush, TestClient, run, useControlClient, waitForStatus } from './support/controlClient';
import { RunningEmulator } from './support/emulatorProcess';
import { waitFor } from './support/httpClient';

describe('control channel (WebSocket): methods', function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let client: TestClient;
  useControlClient((e, c) => ((emu = e), (client = c)));

  describe('methods', () => {
    it('functions.list lists the app functions', async () => {
      const functions = await client.call('functions.list', {});
      const hello = functions.find((f) => f.name === 'HelloSequence');
      assert.equal(hello?.kind, 'orchestrator');
      assert.equal(functions.find((f) => f.name === 'SayHello')?.kind, 'activity');
      assert.equal(functions.find((f) => f.name === 'Hello')?.kind, 'http');
    });

    it('instances.start a HelloSequence: coalesced instance pushes until Completed, then instances.get', async () => {
      const watcher = await TestClient.connect(emu);
      await watcher.call('subscribe', { topics: ['instances'] });
      const started = await client.call('instances.start', { name: 'HelloSequence', input: { greeting: 'hi' } });
      assert.equal(started.name, 'HelloSequence');
      assert.equal(started.inputPreview, '{"greeting":"hi"}');
      const id = started.instanceId;
      const done = await watcher.waitForInstance(id, (s) => s.runtimeStatus === 'Completed');
      assert.equal(done.outputPreview, '["Hello Tokyo!","Hello Seattle!","Hello London!"]');
      assert.ok(done.completedTime);
      const mine = watcher.pushes
        .map((p, i) => ({ p, at: watcher.pushTimes[i] }))
        .filter(({ p }) => p.topic === 'instances' && p.changed.some((s) => s.instanceId === id));
      for (const { p } of mine) {
        assert.equal((p as InstancesPush).changed.filter((s) => s.instanceId === id).length, 1, 'one summary per instance per push');
      }
      // The Pending row and 4 episodes are 5 changes; pushes are at least ~100 ms apart, so quick ones merge.
      assert.ok(mine.length <= 5, `${mine.length} pushes for one HelloSequence`);
      for (let i = 1; i < mine.length; i++) assert.ok(mine[i].at - mine[i - 1].at >= 80, `pushes ${mine[i].at - mine[i - 1].at} ms apart`);
      const statuses = mine.map(({ p }) => (p as InstancesPush).changed.find((s) => s.instanceId === id)!.runtimeStatus);
      assert.equal(statuses[statuses.length - 1], 'Completed');
      const rank = statuses.map((s) => ['Pending', 'Running', 'Completed'].indexOf(s));
      assert.deepEqual(rank, [...rank].sort((a, b) => a - b), `statuses in order: ${statuses.join(', ')}`);

      const detail = await client.call('instances.get', { instanceId: id });
      assert.equal(detail.runtimeStatus, 'Completed');
      assert.deepEqual(detail.input, { greeting: 'hi' });
      assert.deepEqual(detail.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
      assert.equal(detail.customStatus, null);
      assert.equal(detail.failure, null);
      assert.deepEqual(detail.waitingForEvents, []);
      assert.equal(detail.executions.length, 1);
      assert.equal(detail.executions[0].executionId, detail.executionId);
      assert.ok(detail.executions[0].eventCount > 10);
      assert.equal((detail as unknown as Record<string, unknown>).inputPreview, undefined);
      watcher.close();
    });

    it('instances.get of an unknown instance: notFound', async () => {
      assert.equal(await client.callError('instances.get', { instanceId: 'nobody' }), 'notFound');
    });

    it('instances.start with an id already running: conflict', async () => {
      const instanceId = `dup-${run}`;
      await client.call('instances.start', { name: 'WaitForApproval', instanceId });
      assert.equal(await client.callError('instances.start', { name: 'WaitForApproval', instanceId }), 'conflict');
      await client.call('instances.terminate', { instanceId, reason: 'cleanup' });
    });

    it('WaitForApproval: waitingEvents is ["Approval"], raiseEvent completes it with the data', async () => {
      const { instanceId } = await client.call('instances.start', { name: 'WaitForApproval' });
      const waiting = await waitFor(
        async () => {
          const r = await client.call('instances.waitingEvents', { instanceId });
          return r.eventNames.length ? r : undefined;
        },
        'the wait to be recorded',
      );
      assert.deepEqual(waiting.eventNames, ['Approval']);
      assert.deepEqual((await client.call('instances.get', { instanceId })).waitingForEvents, ['Approval']);
      assert.deepEqual(await client.call('instances.raiseEvent', { instanceId, eventName: 'Approval', data: { approved: true, by: 'me' } }), { ok: true });
      const done = await waitForStatus(client, instanceId, FINISHED);
      assert.equal(done.runtimeStatus, 'Completed');
      assert.deepEqual(done.output, { approved: true, by: 'me' });
      assert.deepEqual((await client.call('instances.waitingEvents', { instanceId })).eventNames, []);
      assert.equal(await client.callError('instances.raiseEvent', { instanceId, eventName: 'Approval' }), 'gone');
      assert.equal(await client.callError('instances.raiseEvent', { instanceId: 'nobody', eventName: 'Approval' }), 'notFound');
      assert.equal(await client.callError('instances.raiseEvent', { instanceId, eventName: '' }), 'invalidParams');
    });

    it('instances.terminate', async () => {
      const { instanceId } = await client.call('instances.start', { name: 'WaitForApproval' });
      assert.deepEqual(await client.call('instances.terminate', { instanceId, reason: 'no longer needed' }), { ok: true });
      const done = await waitForStatus(client, instanceId, FINISHED);
      assert.equal(done.runtimeStatus, 'Terminated');
      assert.equal(done.output, 'no longer needed');
      assert.equal(await client.callError('instances.terminate', { instanceId }), 'gone');
      assert.equal(await client.callError('instances.terminate', { instanceId: 'nobody' }), 'notFound');
    });

    it('instances.suspend and instances.resume', async () => {
      const { instanceId } = await client.call('instances.start', { name: 'WaitForApproval' });
      await waitForStatus(client, instanceId, ['Running']);
      assert.deepEqual(await client.call('instances.suspend', { instanceId, reason: 'hold on' }), { ok: true });
      await waitForStatus(client, instanceId, ['Suspended']);
      await client.call('instances.raiseEvent', { instanceId, eventName: 'Approval', data: 'while suspended' });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await client.call('instances.get', { instanceId })).runtimeStatus, 'Suspended', 'a suspended instance runs no episode');
      assert.deepEqual(await client.call('instances.resume', { instanceId, reason: 'go on' }), { ok: true });
      const done = await waitForStatus(client, instanceId, FINISHED);
      assert.equal(done.runtimeStatus, 'Completed');
      assert.equal(done.output, 'while suspended');
      assert.equal(await client.callError('instances.suspend', { instanceId }), 'gone');
    });

    it('instances.rewind of a failing instance (FlakyNoRetry) completes it; rewinding a Completed one: preconditionFailed', async () => {
      const { instanceId } = await client.call('instances.start', { name: 'FlakyNoRetry', input: { key: `ws-rewind-${run}`, failures: 1 } });
      const failed = await waitForStatus(client, instanceId, FINISHED);
      assert.equal(failed.runtimeStatus, 'Failed');
      assert.ok(failed.failure, 'the failure is reported');
      assert.match(failed.failure!.message, /attempt 1 failed/);
      assert.equal(typeof failed.failure!.type, 'string');
      const listed = await client.call('instances.list', { filter: { instanceIdPrefix: instanceId } });
      assert.match(listed.instances[0].failure!.message, /attempt 1 failed/);
      assert.deepEqual(await client.call('instances.rewind', { instanceId, reason: 'try again' }), { ok: true });
      const done = await waitForStatus(client, instanceId, ['Completed']);
      assert.equal(done.output, 'ok after 2');
      assert.equal(done.failure, null);
      assert.equal(await client.callError('instances.rewind', { instanceId }), 'preconditionFailed');
      assert.equal(await client.callError('instances.rewind', { instanceId: 'nobody' }), 'notFound');
    });

    it('instances.restart with a new id and with the same id; a running one: conflict', async () => {
      const { instanceId } = await client.call('instances.start', { name: 'HelloSequence', input: 'again' });
      const first = await waitForStatus(client, instanceId, FINISHED);
      const fresh = await client.call('instances.restart', { instanceId });
      assert.notEqual(fresh.instanceId, instanceId, 'a new instance id by default');
      assert.equal(fresh.inputPreview, '"again"');
      assert.equal((await waitForStatus(client, fresh.instanceId, FINISHED)).runtimeStatus, 'Completed');
      const same = await client.call('instances.restart', { instanceId, newInstanceId: false });
      assert.equal(same.instanceId, instanceId);
      assert.notEqual(same.executionId, first.executionId);
      assert.equal((await waitForStatus(client, instanceId, FINISHED)).runtimeStatus, 'Completed');

      const waiting = await client.call('instances.start', { name: 'WaitForApproval' });
      assert.equal(await client.callError('instances.restart', { instanceId: waiting.instanceId, newInstanceId: false }), 'conflict');
      await client.call('instances.terminate', { instanceId: waiting.instanceId });
      assert.equal(await client.callError('instances.restart', { instanceId: 'nobody' }), 'notFound');
    });

    it('instances.purge: the removal is pushed; running ones refused; unknown ones: 0', async () => {
      const watcher = await TestClient.connect(emu);
      await watcher.call('subscribe', { topics: ['instances'] });
      const { instanceId } = await client.call('instances.start', { name: 'HelloSequence' });
      await waitForStatus(client, instanceId, FINISHED);
      assert.deepEqual(await client.call('instances.purge', { instanceId }), { deleted: 1 });
      await watcher.waitForMessage((m) => m.type === 'push' && m.topic === 'instances' && m.removed.includes(instanceId));
      assert.equal(watcher.latest().has(instanceId), false);
      assert.equal(await client.callError('instances.get', { instanceId }), 'notFound');
      assert.deepEqual(await client.call('instances.purge', { instanceId }), { deleted: 0 });

      const running = await client.call('instances.start', { name: 'WaitForApproval' });
      // InstanceControl refuses it with 412 (409 in earlier versions): the code follows the status.
      assert.ok(['preconditionFailed', 'conflict'].includes(await client.callError('instances.purge', { instanceId: running.instanceId })));
      await client.call('instances.terminate', { instanceId: running.instanceId });
      watcher.close();
    });

    it('instances.purgeWhere purges the finished instances matching the filter and pushes the removals', async () => {
      const watcher = await TestClient.connect(emu);
      await watcher.call('subscribe', { topics: ['instances'] });
      const prefix = `pw-${run}-`;
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await client.call('instances.start', { name: 'HelloSequence', instanceId: `${prefix}${i}` })).instanceId);
      const left = (await client.call('instances.start', { name: 'WaitForApproval', instanceId: `${prefix}running` })).instanceId;
      for (const id of ids) await waitForStatus(client, id, FINISHED);
      assert.deepEqual(await client.call('instances.purgeWhere', { filter: { instanceIdPrefix: prefix } }), { deleted: 4 });
      await waitFor(() => {
        const removed = new Set(watcher.instancePushes().flatMap((p) => p.removed));
        return ids.every((id) => removed.has(id));
      }, 'the removals to be pushed');
      const listed = await client.call('instances.list', { filter: { instanceIdPrefix: prefix } });
      assert.deepEqual(listed.instances.map((s) => s.instanceId), [left], 'the running one is left alone');
      assert.deepEqual(await client.call('instances.purgeWhere', { filter: { instanceIdPrefix: prefix, runtimeStatus: ['Running'] } }), { deleted: 0 });
      await client.call('instances.terminate', { instanceId: left });
      watcher.close();
    });

    it('instances.list: filters, ordering, paging with continuation tokens, total', async () => {
      const prefix = `list-${run}-`;
      const names = ['HelloSequence', 'WaitForApproval'];
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const id = `${prefix}${String(i).padStart(2, '0')}`;
        ids.push(id);
        await client.call('instances.start', { name: names[i % 2], instanceId: id, input: i });
        await new Promise((r) => setTimeout(r, 3)); // distinct created times
      }
      for (const id of ids.filter((_, i) => i % 2 === 0)) await waitForStatus(client, id, ['Completed']);
      for (const id of ids.filter((_, i) => i % 2 === 1)) await waitForStatus(client, id, ['Running']);

      // Paging by instanceId ascending, 3 at a time.
      const seen: string[] = [];
      let token: string | null | undefined;
      let pages = 0;
      do {
        const page = await client.call('instances.list', {
          filter: { instanceIdPrefix: prefix },
          orderBy: 'instanceId',
          pageSize: 3,
          continuationToken: token ?? undefined,
        });
        assert.equal(page.total, 7);
        assert.ok(page.instances.length <= 3);
        seen.push(...page.instances.map((s) => s.instanceId));
        token = page.continuationToken;
        pages++;
      } while (token);
      assert.deepEqual(seen, ids);
      assert.equal(pages, 3);

      const desc = await client.call('instances.list', { filter: { instanceIdPrefix: prefix }, orderBy: 'instanceId', descending: true });
      assert.deepEqual(desc.instances.map((s) => s.instanceId), [...ids].reverse());
      const newest = await client.call('instances.list', { filter: { instanceIdPrefix: prefix } });
      assert.deepEqual(newest.instances.map((s) => s.instanceId), [...ids].reverse(), 'default order: newest first');

      const completed = await client.call('instances.list', { filter: { instanceIdPrefix: prefix, runtimeStatus: ['Completed'] } });
      assert.deepEqual(completed.instances.map((s) => s.instanceId).sort(), ids.filter((_, i) => i % 2 === 0));
      assert.equal(completed.total, 4);
      const byName = await client.call('instances.list', { filter: { instanceIdPrefix: prefix, name: 'WaitForApproval' }, orderBy: 'name' });
      assert.deepEqual(byName.instances.map((s) => s.instanceId).sort(), ids.filter((_, i) => i % 2 === 1));
      assert.equal(byName.total, 3);
      const both = await client.call('instances.list', { filter: { instanceIdPrefix: prefix, name: 'WaitForApproval', runtimeStatus: ['Completed'] } });
      assert.equal(both.total, 0);
      assert.deepEqual(both.instances, []);
      assert.equal(both.continuationToken, null);

      const all = await client.call('instances.list', { filter: { instanceIdPrefix: prefix }, orderBy: 'createdTime' });
      const created = all.instances.map((s) => s.createdTime);
      const mid = created[3];
      const window = await client.call('instances.list', { filter: { instanceIdPrefix: prefix, createdFrom: mid, createdTo: created[5] }, orderBy: 'createdTime' });
      assert.deepEqual(window.instances.map((s) => s.instanceId), all.instances.slice(3, 6).map((s) => s.instanceId));
      const updated = await client.call('instances.list', { filter: { instanceIdPrefix: prefix }, orderBy: 'lastUpdatedTime', descending: true, pageSize: 2 });
      assert.equal(updated.instances.length, 2);
      assert.ok(updated.continuationToken);
      // A token belongs to its order.
      assert.equal(
        await client.callError('instances.list', { filter: { instanceIdPrefix: prefix }, orderBy: 'instanceId', continuationToken: updated.continuationToken! }),
        'invalidParams',
      );
      const s = all.instances[1];
      assert.equal(s.inputPreview, '1');
      assert.equal(s.parentInstanceId, null);
      for (const id of ids.filter((_, i) => i % 2 === 1)) await client.call('instances.terminate', { instanceId: id });
    });

    it('instances.history pages the history; executions and unknown ones', async () => {
      const { instanceId } = await client.call('instances.start', { name: 'FanOutFanIn', input: 40 });
      const done = await waitForStatus(client, instanceId, FINISHED);
      assert.equal(done.output, 780);
      const whole = await client.call('instances.history', { instanceId, limit: 5000 });
      assert.equal(whole.executionId, done.executionId);
      assert.equal(whole.from, 0);
      assert.equal(whole.total, whole.events.length);
      assert.equal(whole.total, done.executions[0].eventCount);
      assert.ok(whole.total > 80, `${whole.total} events`);
      const paged: HistoryEvent[] = [];
      for (let from = 0; from < whole.total; from += 25) {
        const page = await client.call('instances.history', { instanceId, from, limit: 25 });
        assert.equal(page.from, from);
        assert.equal(page.total, whole.total);
        assert.ok(page.events.length <= 25);
        paged.push(...page.events);
      }
      assert.deepEqual(paged, whole.events);
      const dflt = await client.call('instances.history', { instanceId });
      assert.equal(dflt.events.length, Math.min(500, whole.total));
      const past = await client.call('instances.history', { instanceId, from: whole.total + 10 });
      assert.deepEqual(past.events, []);
      const byExecution = await client.call('instances.history', { instanceId, executionId: done.executionId, from: 1, limit: 2 });
      assert.deepEqual(byExecution.events, whole.events.slice(1, 3));
      assert.equal(await client.callError('instances.history', { instanceId, executionId: 'nope' }), 'notFound');
      assert.equal(await client.callError('instances.history', { instanceId: 'nobody' }), 'notFound');
    });

    it('continue-as-new: executions oldest first, the history of an older one', async () => {
      const { instanceId } = await client.call('instances.start', { name: 'Counter', input: 0 });
      const done = await waitForStatus(client, instanceId, FINISHED);
      assert.equal(done.output, 3);
      assert.equal(done.executions.length, 4);
      assert.equal(done.executions[3].executionId, done.executionId);
      const first = await client.call('instances.history', { instanceId, executionId: done.executions[0].executionId });
      assert.equal(first.total, done.executions[0].eventCount);
      assert.ok(first.events.some((e) => e.EventType === 16 /* ContinueAsNew */));
    });

    it('status counts instances per runtime status', async () => {
      const status = await client.call('status', {});
      const listed = await client.call('instances.list', { pageSize: 1 });
      const sum = Object.values(status.counts).reduce((a, b) => a + (b ?? 0), 0);
      assert.equal(sum, listed.total);
      const completed = await client.call('instances.list', { filter: { runtimeStatus: ['Completed'] }, pageSize: 1 });
      assert.equal(status.counts.Completed, completed.total);
      assert.ok((status.counts.Completed ?? 0) > 5);
      assert.equal(status.app.state, 'ready');
      assert.equal(status.app.loadError, null);
    });
  });
});
