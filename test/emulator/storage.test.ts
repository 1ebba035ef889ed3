/** The sql.js store: CRC, every operation of a transaction, atomicity and ids. */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as zlib from 'zlib';
import { crc32 } from '../../emulator/host/storage/crc32';
import { JournalFile, scanJournal } from '../../emulator/host/storage/journal';
import type { Transaction } from '../../emulator/host/storage/store';
import { EventType } from '../../emulator/protocol/durable';
import { cleanUpAfterEach, crashCopy, event, instance, journalPath, open, snapshot, tempDir, workload } from './support/storeFixtures';

describe('storage: crc32', () => {
  it('matches the standard check value and zlib', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    for (const size of [0, 1, 7, 1000, 65537]) {
      const bytes = Buffer.from(Array.from({ length: size }, (_, i) => (i * 7919) & 0xff));
      assert.equal(crc32(bytes), zlib.crc32(bytes));
      assert.equal(crc32(bytes, 3, Math.max(3, size - 2)), zlib.crc32(bytes.subarray(3, Math.max(3, size - 2))));
    }
  });
});

describe('storage: operations', () => {
  cleanUpAfterEach();

  it('round-trips instances, executions and history', async () => {
    const store = await open(tempDir());
    await workload(store);
    assert.deepEqual(store.getInstance('a'), instance('a', { executionId: 'exec-2', lastUpdatedTime: 1_700_000_001_000, input: '2' }));
    assert.equal(store.getInstance('nope'), undefined);
    assert.deepEqual(store.listExecutions('a'), [
      { executionId: 'exec-1', eventCount: 3 },
      { executionId: 'exec-2', eventCount: 1 },
    ]);
    assert.deepEqual(store.getHistory('a').map((e) => e.EventType), [EventType.ExecutionStarted]);
    assert.deepEqual(store.getHistory('a', 'exec-1').map((e) => e.EventType), [
      EventType.OrchestratorStarted,
      EventType.ExecutionStarted,
      EventType.TaskScheduled,
    ]);
    assert.equal(store.getHistory('a', 'exec-1')[1].Name, 'Hello');
    assert.equal(store.historyLength('a', 'exec-1'), 3);
    assert.equal(store.historyLength('a', 'nope'), 0);
    assert.deepEqual(store.getHistory('nope'), []);
    // replaceHistory replaced; completed row round-trips.
    assert.deepEqual(store.getHistory('c').map((e) => e.EventType), [EventType.ExecutionStarted, EventType.ExecutionCompleted]);
    assert.equal(store.historyLength('c', 'exec-1'), 2);
    assert.equal(store.getInstance('c')!.output, '"done"');
    assert.equal(store.getInstance('c')!.completedTime, 1_700_000_002_000);
  });

  it('reads ranges of a history written in several appends', async () => {
    const store = await open(tempDir());
    await store.commit({ upsertInstances: [instance('r')] });
    const ids = Array.from({ length: 10 }, (_, i) => i);
    for (const chunk of [ids.slice(0, 3), ids.slice(3, 4), ids.slice(4, 10)]) {
      await store.commit({ appendHistory: [{ instanceId: 'r', executionId: 'exec-1', events: chunk.map((i) => event(EventType.TaskScheduled, i)) }] });
    }
    const range = (from: number, limit: number) => store.getHistoryRange('r', 'exec-1', from, limit).map((e) => e.EventId);
    assert.deepEqual(range(0, 10), ids);
    assert.deepEqual(range(2, 3), [2, 3, 4]);
    assert.deepEqual(range(3, 1), [3]);
    assert.deepEqual(range(8, 50), [8, 9]);
    assert.deepEqual(range(10, 5), []);
    assert.deepEqual(store.getHistory('r').map((e) => e.EventId), ids);
    assert.equal(store.historyLength('r', 'exec-1'), 10);
  });

  it('round-trips messages, timers and work items, and purges everything of an instance', async () => {
    const store = await open(tempDir());
    await workload(store);
    assert.deepEqual(store.getMessages('b').map((m) => [m.id, m.event.Name]), [[1, 'go']]);
    assert.deepEqual(store.getMessages('c').map((m) => [m.id, m.event.Name]), [[3, 'x'], [4, 'y']]);
    assert.deepEqual(store.instancesWithMessages(), ['b', 'c']);
    assert.deepEqual(store.allTimers(), [
      { instanceId: 'c', executionId: 'exec-1', timerId: 0, fireAt: 1000 },
    ]);
    assert.deepEqual(store.allWorkItems(), [
      { id: 2, kind: 'http', instanceId: 'c', executionId: 'exec-1', taskId: 3, name: 'BuiltIn::HttpActivity', input: '{"method":"GET"}', createdTime: 2 },
    ]);
    for (const id of ['gone']) {
      assert.equal(store.getInstance(id), undefined);
      assert.deepEqual(store.listExecutions(id), []);
      assert.deepEqual(store.getHistory(id, 'exec-1'), []);
      assert.deepEqual(store.getMessages(id), []);
    }

    await store.commit({ deleteMessages: [3], deleteTimers: [{ instanceId: 'c', timerId: 0 }], deleteWorkItems: [2] });
    assert.deepEqual(store.getMessages('c').map((m) => m.id), [4]);
    assert.deepEqual(store.allTimers(), []);
    assert.deepEqual(store.allWorkItems(), []);
    await store.commit({ clearMessages: ['b', 'c'] });
    assert.deepEqual(store.instancesWithMessages(), []);

    // Purge of an instance with two executions, timers, messages and work items.
    await store.commit({
      addTimers: [{ instanceId: 'a', executionId: 'exec-2', timerId: 4, fireAt: 1 }],
      addMessages: [{ instanceId: 'a', event: event(EventType.EventRaised, -1) }],
      addWorkItems: [{ kind: 'activity', instanceId: 'a', executionId: 'exec-2', taskId: 1, name: 'X', input: null, createdTime: 3 }],
    });
    await store.commit({ purgeInstances: ['a'] });
    assert.equal(store.getInstance('a'), undefined);
    assert.deepEqual(store.listExecutions('a'), []);
    assert.deepEqual(store.getHistory('a', 'exec-1'), []);
    assert.deepEqual(store.getHistory('a', 'exec-2'), []);
    assert.deepEqual(store.getMessages('a'), []);
    assert.deepEqual(store.allTimers(), []);
    assert.deepEqual(store.allWorkItems(), []);
    assert.ok(store.getInstance('b'));
  });

  it('writes assigned ids into the transaction and re-adding a timer replaces it', async () => {
    const store = await open(tempDir());
    const tx: Transaction = {
      addMessages: [{ instanceId: 'a', event: event(EventType.EventRaised, -1) }],
      addWorkItems: [{ kind: 'activity', instanceId: 'a', executionId: 'e', taskId: 0, name: 'X', input: null, createdTime: 0 }],
      addTimers: [{ instanceId: 'a', executionId: 'e', timerId: 0, fireAt: 10 }],
    };
    await store.commit(tx);
    assert.equal(tx.addMessages![0].id, 1);
    assert.equal(tx.addWorkItems![0].id, 1);
    await store.commit({ addTimers: [{ instanceId: 'a', executionId: 'e', timerId: 0, fireAt: 20 }] });
    assert.deepEqual(store.allTimers().map((t) => t.fireAt), [20]);
  });

  it('applies removals before writes, so purge and re-create is one commit', async () => {
    const store = await open(tempDir());
    await workload(store);
    await store.commit({
      purgeInstances: ['a'],
      upsertInstances: [instance('a', { executionId: 'fresh' })],
      appendHistory: [{ instanceId: 'a', executionId: 'fresh', events: [event(EventType.ExecutionStarted, -1)] }],
    });
    assert.deepEqual(store.listExecutions('a'), [{ executionId: 'fresh', eventCount: 1 }]);
  });

  it('keeps appending at the right place across a rolled-back append, a purge and a reused id', async () => {
    const store = await open(tempDir());
    const append = (id: string, exec: string, n: number): Transaction => ({
      appendHistory: [{ instanceId: id, executionId: exec, events: Array.from({ length: n }, (_, i) => event(EventType.TaskScheduled, i)) }],
    });
    await store.commit({ upsertInstances: [instance('k')], ...append('k', 'exec-1', 2) });
    await store.commit(append('k', 'exec-1', 3));
    // Rolled back after its append was applied: the next append must not start after the lost events.
    await store.commit({ addMessages: [{ id: 50, instanceId: 'k', event: event(EventType.EventRaised, -1) }] });
    await assert.rejects(store.commit({ ...append('k', 'exec-1', 4), addMessages: [{ id: 50, instanceId: 'k', event: event(EventType.EventRaised, -1) }] }));
    await store.commit(append('k', 'exec-1', 1));
    assert.equal(store.historyLength('k', 'exec-1'), 6);
    assert.deepEqual(store.getHistory('k').map((e) => e.EventId), [0, 1, 0, 1, 2, 0]);
    // Purged, then started again under the same id and execution id: history starts from nothing.
    await store.commit({ purgeInstances: ['k'] });
    assert.equal(store.historyLength('k', 'exec-1'), 0);
    await store.commit({ upsertInstances: [instance('k')], ...append('k', 'exec-1', 2) });
    await store.commit({ purgeInstances: ['k'], upsertInstances: [instance('k')], ...append('k', 'exec-1', 1) });
    assert.equal(store.historyLength('k', 'exec-1'), 1);
    assert.deepEqual(store.listExecutions('k'), [{ executionId: 'exec-1', eventCount: 1 }]);
    await store.close();
    const reopened = await open(store.dataDir);
    assert.equal(reopened.historyLength('k', 'exec-1'), 1);
    assert.deepEqual(reopened.getHistory('k').map((e) => e.EventId), [0]);
  });

  it('rejects a failing transaction entirely and leaves its objects and the ids untouched', async () => {
    const store = await open(tempDir());
    await store.commit({ addMessages: [{ id: 7, instanceId: 'a', event: event(EventType.EventRaised, -1) }] });
    const before = snapshot(store, ['a', 'b']);
    const bad: Transaction = {
      upsertInstances: [instance('b')],
      addMessages: [
        { instanceId: 'b', event: event(EventType.EventRaised, -1) },
        { id: 7, instanceId: 'b', event: event(EventType.EventRaised, -1) },
      ],
    };
    await assert.rejects(store.commit(bad), /UNIQUE constraint failed/);
    assert.deepEqual(snapshot(store, ['a', 'b']), before);
    assert.equal(bad.addMessages![0].id, undefined);
    const ok: Transaction = { addMessages: [{ instanceId: 'b', event: event(EventType.EventRaised, -1) }] };
    await store.commit(ok);
    assert.equal(ok.addMessages![0].id, 8, 'a caller-given id advances the counter');
  });

  it('rejects values that would not replay as committed', async () => {
    const store = await open(tempDir());
    await assert.rejects(store.commit({ upsertInstances: [instance('a', { createdTime: Infinity })] }), /createdTime must be number/);
    const bytes = new Uint8Array(2) as unknown as string;
    await assert.rejects(store.commit({ upsertInstances: [instance('a', { input: bytes })] }), /input must be string or null/);
    await assert.rejects(
      store.commit({ addTimers: [{ instanceId: 'a', executionId: 'e', timerId: 0, fireAt: NaN }] }),
      /fireAt must be number/,
    );
    assert.equal(store.getInstance('a'), undefined);
  });

  it('journals a transaction without its empty lists, and replays it the same', async () => {
    const dir = tempDir();
    const store = await open(dir);
    const tx: Transaction = { upsertInstances: [instance('e')], addMessages: [], deleteWorkItems: [], appendHistory: [{ instanceId: 'e', executionId: 'exec-1', events: [] }] };
    await store.commit(tx);
    const [record] = scanJournal(fs.readFileSync(journalPath(dir)), 'journal').records;
    assert.deepEqual(Object.keys(record.tx).sort(), ['appendHistory', 'upsertInstances']);
    assert.deepEqual(snapshot(await open(crashCopy(dir)), ['e']), snapshot(store, ['e']));
  });

  it('groups concurrent commits into few journal writes', async () => {
    const store = await open(tempDir());
    const append = JournalFile.prototype.append;
    let writes = 0;
    JournalFile.prototype.append = function (this: JournalFile, records: Buffer[]) {
      writes++;
      return append.call(this, records);
    };
    try {
      await Promise.all(Array.from({ length: 200 }, (_, i) => store.commit({ upsertInstances: [instance(`g${i}`)] })));
    } finally {
      JournalFile.prototype.append = append;
    }
    assert.equal(store.countInstances({}), 200);
    assert.ok(writes <= 2, `200 commits in one tick took ${writes} journal writes`);
  });
});
