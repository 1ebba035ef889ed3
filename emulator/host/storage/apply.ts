/**
 * Checking a store Transaction, numbering what it adds, and writing its instance and history part to the
 * database (storeState.ts routes the rest). The same code applies live commits and journal replay, so
 * replaying a journal rebuilds exactly the state that was acknowledged.
 */
import type { HistoryAppend, InstanceRow, Transaction } from './store';
import type { Db, SqlValue } from './db';
import { pack } from './packedText';

/** Appends of one execution merged into one history row: their events, and their engine notes in order. */
export interface MergedAppend extends HistoryAppend {
  engineNotes: unknown[];
}

export interface IdCounters {
  nextMessageId: number;
  nextWorkItemId: number;
}

/** The queue tables are rewritten whole at checkpoints (queues.ts), so a purge leaves them alone. */
const PURGE = ['instances', 'executions', 'history'].map((table) => `DELETE FROM ${table} WHERE instanceId = ?`);

/**
 * Fills in the ids of new messages and work items that have none (the journal records them, so replay
 * reproduces them, and the caller can read them back from its objects) and returns the advanced counters
 * plus an undo for when the transaction is then rejected. Ids given by the caller are kept.
 */
export function assignIds(tx: Transaction, counters: IdCounters): { next: IdCounters; undo: () => void } {
  const assigned: Array<{ id?: number }> = [];
  const next = { ...counters };
  for (const message of tx.addMessages ?? []) {
    if (message.id === undefined) {
      message.id = next.nextMessageId;
      assigned.push(message);
    }
    next.nextMessageId = Math.max(next.nextMessageId, message.id + 1);
  }
  for (const item of tx.addWorkItems ?? []) {
    if (item.id === undefined) {
      item.id = next.nextWorkItemId;
      assigned.push(item);
    }
    next.nextWorkItemId = Math.max(next.nextWorkItemId, item.id + 1);
  }
  return { next, undo: () => assigned.forEach((entry) => delete entry.id) };
}

type Kind = 'string' | 'string?' | 'number' | 'number?';
const INSTANCE_FIELDS: Record<keyof InstanceRow, Kind> = {
  instanceId: 'string', executionId: 'string', name: 'string', version: 'string', runtimeStatus: 'string',
  input: 'string?', output: 'string?', customStatus: 'string?', createdTime: 'number', lastUpdatedTime: 'number',
  completedTime: 'number?', parentInstanceId: 'string?', failureDetails: 'string?', engineState: 'string',
};
const INSTANCE_CHECKS = Object.entries(INSTANCE_FIELDS);
const TIMER_CHECKS = Object.entries<Kind>({ instanceId: 'string', executionId: 'string', timerId: 'number', fireAt: 'number' });
const WORK_CHECKS = Object.entries<Kind>({
  id: 'number', kind: 'string', instanceId: 'string', executionId: 'string', taskId: 'number', name: 'string',
  input: 'string?', createdTime: 'number',
});
const MESSAGE_CHECKS = Object.entries<Kind>({ id: 'number', instanceId: 'string' });

/**
 * Rejects column values that JSON would not carry faithfully to a replay (Infinity, a Uint8Array, an
 * object where text belongs): the live commit and its replay must store the same thing.
 */
export function checkTransaction(tx: Transaction): void {
  for (const row of tx.upsertInstances ?? []) check('upsertInstances[]', row, INSTANCE_CHECKS);
  for (const timer of tx.addTimers ?? []) check('addTimers[]', timer, TIMER_CHECKS);
  for (const item of tx.addWorkItems ?? []) check('addWorkItems[]', item, WORK_CHECKS);
  for (const m of tx.addMessages ?? []) check('addMessages[]', m, MESSAGE_CHECKS);
}

function check(what: string, row: object, fields: Array<[string, Kind]>): void {
  for (const [field, kind] of fields) {
    const value = (row as Record<string, unknown>)[field];
    if (kind.endsWith('?') && (value === null || value === undefined)) continue;
    const ok = kind.startsWith('string') ? typeof value === 'string' : Number.isFinite(value);
    if (!ok) throw new TypeError(`${what}.${field} must be ${kind.replace('?', ' or null')}, not ${String(value)}`);
  }
}

/**
 * Writes the instance and history part of `tx` to the database: purges, then rows, rewritten and appended
 * histories. `counts` carries execution event counts across calls within one SQLite transaction, which
 * the caller opens.
 */
export function applySql(db: Db, tx: Transaction, counts: Map<string, number>): void {
  for (const instanceId of tx.purgeInstances ?? []) for (const sql of PURGE) db.run(sql, [instanceId]);
  for (const row of tx.upsertInstances ?? []) upsertInstance(db, row, counts);
  for (const append of tx.replaceHistory ?? []) writeHistory(db, append, true, counts);
  for (const append of tx.appendHistory ?? []) writeHistory(db, append, false, counts);
}

/**
 * Long text goes in as its UTF-8 bytes, turned back into TEXT by the statement's CAST: sql.js encodes a
 * string parameter one character at a time in JavaScript, Buffer.from does it natively. Short strings
 * stay strings (a zero-length blob would bind as NULL).
 */
function text(value: string | null): SqlValue {
  return value !== null && value.length > 64 ? Buffer.from(value, 'utf8') : value;
}

const UPSERT_INSTANCE = `INSERT INTO instances VALUES (?, ?, ?, ?, ?, CAST(? AS TEXT), CAST(? AS TEXT),
    CAST(? AS TEXT), ?, ?, ?, ?, CAST(? AS TEXT), CAST(? AS TEXT))
  ON CONFLICT (instanceId) DO UPDATE SET executionId = excluded.executionId, name = excluded.name,
    version = excluded.version, runtimeStatus = excluded.runtimeStatus, input = excluded.input,
    output = excluded.output, customStatus = excluded.customStatus, createdTime = excluded.createdTime,
    lastUpdatedTime = excluded.lastUpdatedTime, completedTime = excluded.completedTime,
    parentInstanceId = excluded.parentInstanceId, failureDetails = excluded.failureDetails,
    engineState = excluded.engineState`;

/** An in-place update (unlike INSERT OR REPLACE) touches only the indexes whose columns changed. */
function upsertInstance(db: Db, r: InstanceRow, counts: Map<string, number>): void {
  db.run(UPSERT_INSTANCE, [
    r.instanceId,
    r.executionId,
    r.name,
    r.version,
    r.runtimeStatus,
    text(r.input ?? null),
    text(r.output ?? null),
    text(r.customStatus ?? null),
    r.createdTime,
    r.lastUpdatedTime,
    r.completedTime ?? null,
    r.parentInstanceId ?? null,
    text(r.failureDetails ?? null),
    text(r.engineState),
  ]);
  eventCount(db, r.instanceId, r.executionId, counts);
}

/** The execution's number of events, registering it first (numbered after the instance's others) if new. */
export function eventCount(db: Db, instanceId: string, executionId: string, counts: Map<string, number>): number {
  const key = `${instanceId}\u0000${executionId}`;
  const known = counts.get(key);
  if (known !== undefined) return known;
  const row = db.one('SELECT eventCount FROM executions WHERE instanceId = ? AND executionId = ?', [instanceId, executionId]);
  if (row) {
    counts.set(key, row[0] as number);
    return row[0] as number;
  }
  counts.set(key, 0);
  // Executions are only ever removed all together (purge), so counting gives the next number; in sql.js
  // count(*) costs a fifth of max(ordinal).
  const ordinal = db.one('SELECT count(*) + 1 FROM executions WHERE instanceId = ?', [instanceId])![0];
  db.run('INSERT INTO executions (instanceId, executionId, ordinal, eventCount) VALUES (?, ?, ?, 0)', [
    instanceId,
    executionId,
    ordinal,
  ]);
  return 0;
}

/** Appends events after the execution's last one (or replaces them all) as one row: O(new events). */
function writeHistory(db: Db, append: HistoryAppend | MergedAppend, replace: boolean, counts: Map<string, number>): void {
  const { instanceId, executionId, events } = append;
  const notes = 'engineNotes' in append ? append.engineNotes : append.engine === undefined ? [] : [append.engine];
  let count = eventCount(db, instanceId, executionId, counts);
  if (replace) {
    db.run('DELETE FROM history WHERE instanceId = ? AND executionId = ?', [instanceId, executionId]);
    count = 0;
  }
  if (events.length) {
    db.run('INSERT INTO history (instanceId, executionId, idx, count, events, engine) VALUES (?, ?, ?, ?, ?, ?)', [
      instanceId,
      executionId,
      count,
      events.length,
      pack(JSON.stringify(events)),
      pack(notes.length ? JSON.stringify(notes) : null),
    ]);
  }
  db.run('UPDATE executions SET eventCount = ? WHERE instanceId = ? AND executionId = ?', [count + events.length, instanceId, executionId]);
  counts.set(`${instanceId}\u0000${executionId}`, count + events.length);
}
