import { strict as assert } from 'assert';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { crc32 } from '../../emulator/host/storage/crc32';
import { JournalCorruptError, JournalFile } from '../../emulator/host/storage/journal';
import { loadSqlJs } from '../../emulator/host/storage/db';
import { CHECKPOINT_FILE, openStore, SqlStore, StoreOptions } from '../../emulator/host/storage/sqlStore';
import type { InstanceRow, Store, Transaction } from '../../emulator/host/storage/store';
import { EventType, HistoryEvent } from '../../emulator/protocol/durable';

const tempDirs: string[] = [];
const openStores: SqlStore[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-test-'));
  tempDirs.push(dir);
  return dir;
}

async function open(dir: string, options?: StoreOptions): Promise<SqlStore> {
  const store = await openStore(dir, options);
  openStores.push(store);
  return store;
}

/** What the files would hold if the process died now: a copy of the folder without the lock. */
function crashCopy(dir: string): string {
  const copy = tempDir();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name !== 'store.lock') fs.copyFileSync(path.join(dir, entry.name), path.join(copy, entry.name));
  }
  return copy;
}

function instance(instanceId: string, overrides: Partial<InstanceRow> = {}): InstanceRow {
  return {
    instanceId,
    executionId: 'exec-1',
    name: 'Hello',
    version: '',
    runtimeStatus: 'Running',
    input: '"Tokyo"',
    output: null,
    customStatus: null,
    createdTime: 1_700_000_000_000,
    lastUpdatedTime: 1_700_000_000_000,
    completedTime: null,
    parentInstanceId: null,
    failureDetails: null,
    engineState: '{}',
    ...overrides,
  };
}

function event(type: EventType, eventId: number, extra: Partial<HistoryEvent> = {}): HistoryEvent {
  return { EventType: type, EventId: eventId, Timestamp: '2024-01-01T00:00:00.000Z', IsPlayed: false, ...extra };
}

/** Everything a store can show about `instanceIds`, for whole-state comparisons. */
function snapshot(store: Store, instanceIds: string[]): unknown {
  return {
    instances: store.queryInstances({ orderBy: 'instanceId' }).instances,
    executions: instanceIds.map((id) =>
      store.listExecutions(id).map((e) => ({ ...e, events: store.getHistory(id, e.executionId) })),
    ),
    current: instanceIds.map((id) => store.getHistory(id)),
    messages: instanceIds.map((id) => store.getMessages(id)),
    withMessages: store.instancesWithMessages(),
    timers: store.allTimers(),
    workItems: store.allWorkItems(),
  };
}

const IDS = ['a', 'b', 'c', 'gone'];

/** A mix of every kind of change, including continue-as-new and a purge. */
async function workload(store: Store): Promise<void> {
  await store.commit({
    upsertInstances: [instance('a'), instance('b', { name: 'Other' }), instance('gone')],
    appendHistory: [
      { instanceId: 'a', executionId: 'exec-1', events: [event(EventType.OrchestratorStarted, -1), event(EventType.ExecutionStarted, -1, { Name: 'Hello', Input: '"Tokyo"' })] },
      { instanceId: 'gone', executionId: 'exec-1', events: [event(EventType.ExecutionStarted, -1)] },
    ],
    addMessages: [{ instanceId: 'b', event: event(EventType.EventRaised, -1, { Name: 'go', Input: '1' }) }],
    addTimers: [{ instanceId: 'a', executionId: 'exec-1', timerId: 1, fireAt: 5000 }],
    addWorkItems: [{ kind: 'activity', instanceId: 'a', executionId: 'exec-1', taskId: 0, name: 'SayHello', input: '"Tokyo"', createdTime: 1 }],
  });
  await Promise.all([
    store.commit({ appendHistory: [{ instanceId: 'a', executionId: 'exec-1', events: [event(EventType.TaskScheduled, 0, { Name: 'SayHello' })] }] }),
    store.commit({ addMessages: [{ instanceId: 'gone', event: event(EventType.EventRaised, -1) }] }),
    store.commit({ purgeInstances: ['gone'] }),
  ]);
  // Continue-as-new of 'a': a new execution, old history kept.
  await store.commit({
    upsertInstances: [instance('a', { executionId: 'exec-2', lastUpdatedTime: 1_700_000_001_000, input: '2' })],
    appendHistory: [{ instanceId: 'a', executionId: 'exec-2', events: [event(EventType.ExecutionStarted, -1, { Input: '2' })] }],
    clearTimers: ['a'],
    clearWorkItems: ['a'],
    addTimers: [{ instanceId: 'c', executionId: 'exec-1', timerId: 0, fireAt: 1000 }],
    addMessages: [
      { instanceId: 'c', event: event(EventType.EventRaised, -1, { Name: 'x' }) },
      { instanceId: 'c', event: event(EventType.EventRaised, -1, { Name: 'y' }) },
    ],
  });
  await store.commit({
    upsertInstances: [instance('c', { runtimeStatus: 'Completed', output: '"done"', completedTime: 1_700_000_002_000 })],
    replaceHistory: [{ instanceId: 'c', executionId: 'exec-1', events: [event(EventType.ExecutionStarted, -1), event(EventType.ExecutionCompleted, -1, { Result: '"done"' })] }],
    addWorkItems: [{ kind: 'http', instanceId: 'c', executionId: 'exec-1', taskId: 3, name: 'BuiltIn::HttpActivity', input: '{"method":"GET"}', createdTime: 2 }],
  });
}

function journalPath(dir: string): string {
  return path.join(dir, 'journal.log');
}

/** Byte offsets of the records of a journal (parsing only the length headers). */
function recordOffsets(bytes: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = 0; at < bytes.length; at += 8 + bytes.readUInt32LE(at)) offsets.push(at);
  return offsets;
}

// Scoped to this file's suites (a top-level hook would run around every test of the whole run).
function cleanUpAfterEach(): void {
  afterEach(async () => {
    for (const store of openStores.splice(0)) await store.close().catch(() => undefined);
    for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
}

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

describe('storage: durability', () => {
  cleanUpAfterEach();

  it('sees everything after close and reopen', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await workload(store);
    const expected = snapshot(store, IDS);
    await store.close();
    assert.equal(fs.statSync(journalPath(dir)).size, 0, 'close checkpoints and empties the journal');
    const reopened = await open(dir);
    assert.deepEqual(snapshot(reopened, IDS), expected);
    assert.deepEqual({ replayed: reopened.recovery.replayed, tornTail: reopened.recovery.tornTail }, { replayed: 0, tornTail: null });
  });

  it('sees everything after a crash without close (journal only)', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await workload(store);
    const copy = crashCopy(dir);
    assert.equal(fs.existsSync(path.join(copy, 'state.sqlite')), false);
    const reopened = await open(copy);
    assert.deepEqual(snapshot(reopened, IDS), snapshot(store, IDS));
    assert.equal(reopened.recovery.replayed, 6);
  });

  it('opens data written by schema version 1 (timers stored their event) and replays its journal', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await store.commit({ addTimers: [{ instanceId: 'a', executionId: 'e', timerId: 0, fireAt: 10 }] });
    await store.close();
    // Turn the checkpoint back into what version 1 wrote, and journal a version 1 timer after it.
    const SQL = await loadSqlJs();
    const db = new SQL.Database(fs.readFileSync(path.join(dir, CHECKPOINT_FILE)));
    db.exec(`ALTER TABLE timers ADD COLUMN event TEXT NOT NULL DEFAULT '{}'; UPDATE meta SET value = 1 WHERE key = 'schemaVersion'`);
    fs.writeFileSync(path.join(dir, CHECKPOINT_FILE), db.export());
    db.close();
    const v1 = await open(dir);
    const old = { instanceId: 'b', executionId: 'e', timerId: 3, fireAt: 5, event: event(EventType.TimerFired, -1, { TimerId: 3 }) };
    await v1.commit({ addTimers: [old] });
    const reopened = await open(crashCopy(dir));
    assert.equal(reopened.recovery.replayed, 1);
    assert.deepEqual(reopened.allTimers(), [
      { instanceId: 'b', executionId: 'e', timerId: 3, fireAt: 5 },
      { instanceId: 'a', executionId: 'e', timerId: 0, fireAt: 10 },
    ]);
  });

  it('replays the journal on top of a checkpoint', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await workload(store);
    await store.checkpoint();
    assert.equal(fs.statSync(journalPath(dir)).size, 0);
    await store.commit({ upsertInstances: [instance('after', { runtimeStatus: 'Pending' })], deleteMessages: [1] });
    const reopened = await open(crashCopy(dir));
    assert.deepEqual(snapshot(reopened, [...IDS, 'after']), snapshot(store, [...IDS, 'after']));
    assert.deepEqual(
      { checkpointSeq: reopened.recovery.checkpointSeq, replayed: reopened.recovery.replayed, skipped: reopened.recovery.skipped },
      { checkpointSeq: 6, replayed: 1, skipped: 0 },
    );
  });

  it('skips records already in the checkpoint (crash between rename and journal truncation)', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await workload(store);
    const copy = crashCopy(dir); // the journal before the checkpoint
    await store.checkpoint();
    fs.copyFileSync(path.join(dir, 'state.sqlite'), path.join(copy, 'state.sqlite'));
    const reopened = await open(copy);
    assert.deepEqual(snapshot(reopened, IDS), snapshot(store, IDS));
    assert.deepEqual({ replayed: reopened.recovery.replayed, skipped: reopened.recovery.skipped }, { replayed: 0, skipped: 6 });
  });

  it('ignores an interrupted checkpoint temp file', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await workload(store);
    const copy = crashCopy(dir);
    fs.writeFileSync(path.join(copy, 'state.sqlite.tmp'), 'half a database');
    const reopened = await open(copy);
    assert.deepEqual(snapshot(reopened, IDS), snapshot(store, IDS));
    assert.equal(fs.existsSync(path.join(copy, 'state.sqlite.tmp')), false);
  });

  it('checkpoints by itself when the journal outgrows checkpointBytes', async () => {
    const dir = tempDir();
    const store = await open(dir, { checkpointBytes: 4096 });
    for (let i = 0; i < 100; i++) await store.commit({ upsertInstances: [instance(`x${i}`)] });
    assert.ok(fs.existsSync(path.join(dir, 'state.sqlite')));
    assert.ok(fs.statSync(journalPath(dir)).size < 4096 + 1024);
    const reopened = await open(crashCopy(dir));
    assert.equal(reopened.countInstances({}), 100);
    assert.ok(reopened.recovery.checkpointSeq > 0);
  });

  it('survives a failed checkpoint: reports it, keeps the journal, retries', async () => {
    const dir = tempDir();
    const warnings: string[] = [];
    const store = await open(dir, { onWarning: (m) => warnings.push(m) });
    await workload(store);
    fs.mkdirSync(path.join(dir, 'state.sqlite.tmp')); // the temp file cannot be created
    const committed = store.commit({ upsertInstances: [instance('during')] });
    await assert.rejects(store.checkpoint(), /checkpoint failed, will retry/);
    await committed;
    assert.equal(warnings.length, 1);
    assert.equal(fs.existsSync(path.join(dir, 'state.sqlite')), false);
    const expected = snapshot(store, [...IDS, 'during']);
    assert.deepEqual(snapshot(await open(crashCopy(dir)), [...IDS, 'during']), expected);
    fs.rmdirSync(path.join(dir, 'state.sqlite.tmp'));
    await store.checkpoint();
    assert.equal(fs.statSync(journalPath(dir)).size, 0);
    assert.deepEqual(snapshot(await open(crashCopy(dir)), [...IDS, 'during']), expected);
  });

  it('keeps ids stable across replay', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await workload(store);
    await store.commit({ deleteMessages: [4], deleteWorkItems: [2] }); // the highest ids are gone
    const reopened = await open(crashCopy(dir));
    assert.deepEqual(reopened.getMessages('c'), store.getMessages('c'));
    const next = (s: Store): Promise<[number, number]> => {
      const tx: Transaction = {
        addMessages: [{ instanceId: 'c', event: event(EventType.EventRaised, -1) }],
        addWorkItems: [{ kind: 'activity', instanceId: 'c', executionId: 'exec-1', taskId: 9, name: 'Y', input: null, createdTime: 4 }],
      };
      return s.commit(tx).then(() => [tx.addMessages![0].id!, tx.addWorkItems![0].id!]);
    };
    assert.deepEqual(await next(reopened), [5, 3]);
    assert.deepEqual(await next(store), [5, 3]);
  });
});

describe('storage: damaged journals', () => {
  cleanUpAfterEach();

  /** A crash copy of a store after workload() plus one more commit, its journal damaged by `damage`. */
  async function damaged(damage: (journal: Buffer, offsets: number[]) => Buffer): Promise<{ dir: string; expected: unknown; lastRecord: number }> {
    const dir = tempDir();
    const store = await open(dir);
    await workload(store);
    const expected = snapshot(store, IDS);
    await store.commit({ upsertInstances: [instance('last')] });
    const copy = crashCopy(dir);
    const bytes = fs.readFileSync(journalPath(copy));
    const offsets = recordOffsets(bytes);
    fs.writeFileSync(journalPath(copy), damage(bytes, offsets));
    return { dir: copy, expected, lastRecord: offsets[offsets.length - 1] };
  }

  for (const [label, damage] of [
    ['truncated', (b: Buffer, o: number[]) => b.subarray(0, o[o.length - 1] + 20)],
    ['truncated inside the header', (b: Buffer, o: number[]) => b.subarray(0, o[o.length - 1] + 5)],
    ['corrupt', (b: Buffer, o: number[]) => flip(b, o[o.length - 1] + 30)],
    ['zero-filled', (b: Buffer, o: number[]) => Buffer.concat([b.subarray(0, o[o.length - 1]), Buffer.alloc(4096)])],
  ] as const) {
    it(`reports a ${label} tail, does not apply it, and cuts it off`, async () => {
      const { dir, expected, lastRecord: goodLength } = await damaged(damage);
      const warnings: string[] = [];
      const store = await open(dir, { onWarning: (m) => warnings.push(m) });
      assert.deepEqual(snapshot(store, IDS), expected);
      assert.equal(store.getInstance('last'), undefined);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /cut off .* after record 6/);
      assert.deepEqual(store.recovery.warnings, warnings);
      assert.equal(store.recovery.tornTail!.offset, goodLength);
      assert.equal(fs.statSync(journalPath(dir)).size, goodLength);
      // The repaired store goes on normally.
      await store.commit({ upsertInstances: [instance('later')] });
      const reopened = await open(crashCopy(dir));
      assert.ok(reopened.getInstance('later'));
      assert.equal(reopened.recovery.tornTail, null);
    });
  }

  it('refuses to open when a record in the middle is corrupt', async () => {
    const { dir } = await damaged((b, o) => flip(b, o[2] + 12));
    const size = fs.statSync(journalPath(dir)).size;
    await assert.rejects(openStore(dir), (err: Error) => {
      assert.ok(err instanceof JournalCorruptError);
      assert.match(err.message, /is corrupt at byte \d+ \(after record 2: checksum mismatch\) but holds valid records after it/);
      return true;
    });
    assert.equal(fs.statSync(journalPath(dir)).size, size, 'nothing was cut off');
    assert.equal(fs.existsSync(path.join(dir, 'store.lock')), false, 'the lock was released');
  });

  it('refuses to open when a middle record has a corrupt length', async () => {
    const { dir } = await damaged((b, o) => {
      const copy = Buffer.from(b);
      copy.writeUInt32LE(0x7fffffff, o[1]);
      return copy;
    });
    await assert.rejects(openStore(dir), JournalCorruptError);
  });

  it('refuses to open when records are missing between checkpoint and journal', async () => {
    const { dir } = await damaged((b, o) => b.subarray(o[1]));
    await assert.rejects(openStore(dir), /starts at record 2 but checkpoint .* ends at record 0/);
  });
});

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] ^= 0x5a;
  return copy;
}

describe('storage: lock', () => {
  cleanUpAfterEach();

  it('refuses a second open of an open folder, and allows it after close', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await assert.rejects(openStore(dir), new RegExp(`in use by process ${process.pid}`));
    await store.close();
    await (await open(dir)).close();
  });

  it('takes over a stale lock of a dead process', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid!;
    await new Promise((resolve) => child.on('exit', resolve));
    fs.writeFileSync(path.join(dir, 'store.lock'), `${pid}\n`);
    const store = await open(dir);
    assert.equal(fs.readFileSync(path.join(dir, 'store.lock'), 'utf8').trim(), String(process.pid));
    await store.close();
    assert.equal(fs.existsSync(path.join(dir, 'store.lock')), false);
  });
});
