/** Histories and engine notes stored packed (packedText.ts), and rows stored as text before packing existed. */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { loadSqlJs } from '../../emulator/host/storage/db';
import { SCHEMA_VERSION } from '../../emulator/host/storage/schema';
import { CHECKPOINT_FILE } from '../../emulator/host/storage/sqlStore';
import { EventType, HistoryEvent } from '../../emulator/protocol/durable';
import { cleanUpAfterEach, event, instance, open, tempDir } from './support/storeFixtures';

const started = [
  event(EventType.OrchestratorStarted, -1),
  event(EventType.ExecutionStarted, -1, { Name: 'HelloSequence', Input: JSON.stringify({ city: 'Tokyo' }) }),
  event(EventType.TaskScheduled, 0, { Name: 'SayHello', Input: '"Tokyo"' }),
  event(EventType.OrchestratorCompleted, -1),
];
const notes = [{ nextSeq: 1, actions: [{ sig: 'CallActivity:SayHello', id: 0 }], pending: { 0: { kind: 'activity', name: 'SayHello', input: '"Tokyo"' } } }];

/** Opens the checkpoint of a closed store with sql.js, runs `edit` on it and writes it back. */
async function editCheckpoint(dir: string, edit: (db: import('sql.js').Database) => void): Promise<void> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(path.join(dir, CHECKPOINT_FILE)));
  edit(db);
  fs.writeFileSync(path.join(dir, CHECKPOINT_FILE), db.export());
  db.close();
}

describe('storage: packed histories', () => {
  cleanUpAfterEach();

  async function stored(): Promise<string> {
    const dir = tempDir();
    const store = await open(dir);
    await store.commit({ upsertInstances: [instance('h')], appendHistory: [{ instanceId: 'h', executionId: 'exec-1', events: started, engine: notes[0] }] });
    await store.close();
    return dir;
  }

  it('stores events and engine notes packed, smaller than their JSON, and reads them back', async () => {
    const dir = await stored();
    await editCheckpoint(dir, (db) => {
      const [[events, engine]] = db.exec('SELECT events, engine FROM history')[0].values;
      assert.ok(events instanceof Uint8Array && events.length < JSON.stringify(started).length / 2, 'events packed');
      assert.ok(engine instanceof Uint8Array, 'engine notes packed');
    });
    const reopened = await open(dir);
    assert.deepEqual(reopened.getHistory('h'), started);
    assert.deepEqual(reopened.getHistoryRange('h', 'exec-1', 1, 2), started.slice(1, 3));
    assert.deepEqual(reopened.getEngineNotes('h', 'exec-1'), notes);
  });

  it('reads rows stored as text before packing, beside packed ones, and numbers the schema past them', async () => {
    const dir = await stored();
    await editCheckpoint(dir, (db) => {
      db.run('UPDATE history SET events = ?, engine = ?', [JSON.stringify(started), JSON.stringify(notes)]);
      db.run(`UPDATE meta SET value = ${SCHEMA_VERSION - 1} WHERE key = 'schemaVersion'`);
    });
    const reopened = await open(dir);
    const more: HistoryEvent[] = [event(EventType.OrchestratorStarted, -1), event(EventType.TaskCompleted, -1, { TaskScheduledId: 0, Result: '"Hello Tokyo"' })];
    await reopened.commit({ appendHistory: [{ instanceId: 'h', executionId: 'exec-1', events: more, engine: { pending: { 0: null } } }] });
    assert.deepEqual(reopened.getHistory('h'), [...started, ...more]);
    assert.deepEqual(reopened.getEngineNotes('h', 'exec-1'), [...notes, { pending: { 0: null } }]);
    await reopened.close();
    await editCheckpoint(dir, (db) => {
      assert.deepEqual(db.exec("SELECT value FROM meta WHERE key = 'schemaVersion'")[0].values, [[SCHEMA_VERSION]]);
      assert.deepEqual(
        db.exec('SELECT typeof(events) FROM history ORDER BY idx')[0].values,
        [['text'], ['blob']],
      );
    });
  });

  it('refuses a packed value of an unknown format with a clear error', async () => {
    const dir = await stored();
    await editCheckpoint(dir, (db) => db.run('UPDATE history SET events = ?', [new Uint8Array([99, 1, 2, 3])]));
    const reopened = await open(dir);
    assert.throws(() => reopened.getHistory('h'), /unknown format \(byte 99\)/);
  });
});
