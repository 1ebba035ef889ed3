/** The sql.js store across restarts and crashes: journal replay, checkpoints, damaged journals, the folder lock. */
import { strict as assert } from 'assert';
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { JournalCorruptError } from '../../emulator/host/storage/journal';
import { loadSqlJs } from '../../emulator/host/storage/db';
import { CHECKPOINT_FILE, openStore } from '../../emulator/host/storage/sqlStore';
import type { Store, Transaction } from '../../emulator/host/storage/store';
import { EventType } from '../../emulator/protocol/durable';
import { IDS, cleanUpAfterEach, crashCopy, event, flip, instance, journalPath, open, recordOffsets, snapshot, tempDir, workload } from './support/storeFixtures';

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
    const started = [event(EventType.OrchestratorStarted, -1), event(EventType.ExecutionStarted, -1)];
    await store.commit({ upsertInstances: [instance('h')], appendHistory: [{ instanceId: 'h', executionId: 'exec-1', events: started }] });
    await store.close();
    // Turn the checkpoint back into what version 1 wrote, and journal a version 1 timer after it.
    const SQL = await loadSqlJs();
    const db = new SQL.Database(fs.readFileSync(path.join(dir, CHECKPOINT_FILE)));
    db.exec(
      `ALTER TABLE timers ADD COLUMN event TEXT NOT NULL DEFAULT '{}'; ALTER TABLE history DROP COLUMN engine; ` +
        `UPDATE meta SET value = 1 WHERE key = 'schemaVersion'`,
    );
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
    assert.deepEqual(reopened.listExecutions('h'), [{ executionId: 'exec-1', eventCount: 2 }]);
    await reopened.commit({ appendHistory: [{ instanceId: 'h', executionId: 'exec-1', events: [event(EventType.TaskScheduled, 0)], engine: { note: 1 } }] });
    assert.equal(reopened.historyLength('h', 'exec-1'), 3);
    // Rows written before version 3 have no engine notes; new ones keep theirs.
    assert.deepEqual(reopened.getEngineNotes('h', 'exec-1'), [{ note: 1 }]);
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
    const reopened = await open(crashCopy(dir));
    assert.equal(reopened.countInstances({}), 100);
    assert.ok(reopened.recovery.checkpointSeq > 0);
    // Checkpoints run beside the appends, so the journal keeps what came during the last one: a few records.
    assert.ok(reopened.recovery.replayed + reopened.recovery.skipped < 50, JSON.stringify(reopened.recovery));
  });

  it('acknowledges commits while a checkpoint is being written', async function () {
    if (process.platform === 'win32') this.skip(); // a FIFO holds the checkpoint up
    const dir = tempDir();
    const warnings: string[] = [];
    const store = await open(dir, { onWarning: (m) => warnings.push(m) });
    await workload(store);
    // The checkpoint's temp file is a FIFO: writing it blocks until somebody reads.
    execFileSync('mkfifo', [path.join(dir, 'state.sqlite.tmp')]);
    let checkpointDone = false;
    const checkpoint = store.checkpoint().finally(() => (checkpointDone = true));
    for (let i = 0; i < 5; i++) await store.commit({ upsertInstances: [instance(`during${i}`)] });
    assert.equal(checkpointDone, false);
    const expected = snapshot(store, [...IDS, 'during4']);
    assert.deepEqual(snapshot(await open(crashCopy(dir)), [...IDS, 'during4']), expected, 'acknowledged means in the journal');
    // Let the checkpoint go on (fsync of a FIFO then fails it: nothing lost, retried later).
    const reader = fs.createReadStream(path.join(dir, 'state.sqlite.tmp'));
    reader.resume();
    await assert.rejects(checkpoint, /checkpoint failed, will retry/);
    reader.destroy();
    fs.rmSync(path.join(dir, 'state.sqlite.tmp'));
    await store.checkpoint();
    assert.equal(warnings.length, 1);
    assert.deepEqual(snapshot(await open(crashCopy(dir)), [...IDS, 'during4']), expected);
  });

  it('leaves in the journal what was appended after the checkpoint began, and replay skips what it already holds', async () => {
    const dir = tempDir();
    const store = await open(dir);
    await workload(store);
    // Applied before the snapshot, appended after it: in the new journal, and in the checkpoint too.
    const inFlight = store.commit({ upsertInstances: [instance('in-flight')] });
    const checkpoint = store.checkpoint();
    const during = Array.from({ length: 5 }, (_, i) => store.commit({ upsertInstances: [instance(`during${i}`)] }));
    await Promise.all([inFlight, checkpoint, ...during]);
    const ids = [...IDS, 'in-flight', 'during0', 'during4'];
    const reopened = await open(crashCopy(dir));
    assert.deepEqual(snapshot(reopened, ids), snapshot(store, ids));
    assert.deepEqual({ replayed: reopened.recovery.replayed, skipped: reopened.recovery.skipped }, { replayed: 5, skipped: 1 });
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
