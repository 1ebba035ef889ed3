/** Point reads of the database: one instance, histories, executions; and the row shapes of its tables. */
import type { HistoryEvent } from '../../protocol/durable';
import type { Db, SqlValue } from './db';
import { unpack } from './packedText';
import type { ExecutionInfo, InstanceRow, TimerRow, WorkItemRow, WorkKind } from './store';

/** The instances columns in table order, as rowToInstance expects them. */
export const INSTANCE_COLUMNS =
  'instanceId, executionId, name, version, runtimeStatus, input, output, customStatus, createdTime, ' +
  'lastUpdatedTime, completedTime, parentInstanceId, failureDetails, engineState';

export function rowToInstance(r: SqlValue[]): InstanceRow {
  return {
    instanceId: r[0] as string,
    executionId: r[1] as string,
    name: r[2] as string,
    version: r[3] as string,
    runtimeStatus: r[4] as InstanceRow['runtimeStatus'],
    input: r[5] as string | null,
    output: r[6] as string | null,
    customStatus: r[7] as string | null,
    createdTime: r[8] as number,
    lastUpdatedTime: r[9] as number,
    completedTime: r[10] as number | null,
    parentInstanceId: r[11] as string | null,
    failureDetails: r[12] as string | null,
    engineState: r[13] as string,
  };
}

export function getInstance(db: Db, instanceId: string): InstanceRow | undefined {
  const row = db.one(`SELECT ${INSTANCE_COLUMNS} FROM instances WHERE instanceId = ?`, [instanceId]);
  return row && rowToInstance(row);
}

export function getHistory(db: Db, instanceId: string, executionId?: string): HistoryEvent[] {
  if (executionId === undefined) {
    const current = db.one('SELECT executionId FROM instances WHERE instanceId = ?', [instanceId]);
    if (!current) return [];
    executionId = current[0] as string;
  }
  const chunks = db.column('SELECT events FROM history WHERE instanceId = ? AND executionId = ? ORDER BY idx', [
    instanceId,
    executionId,
  ]);
  return parseChunks(chunks.map(unpack));
}

/** One parse of the joined arrays is cheaper than one parse per chunk. */
function parseChunks(chunks: string[]): HistoryEvent[] {
  return JSON.parse(`[${chunks.map((c) => c.slice(1, -1)).join(',')}]`) as HistoryEvent[];
}

export function getHistoryRange(db: Db, instanceId: string, executionId: string, from: number, limit: number): HistoryEvent[] {
  const start = Math.max(0, from);
  const end = start + Math.max(0, limit);
  const rows = db.all('SELECT idx, events FROM history WHERE instanceId = ? AND executionId = ? AND idx < ? AND idx + count > ? ORDER BY idx', [
    instanceId,
    executionId,
    end,
    start,
  ]);
  if (!rows.length) return [];
  const first = rows[0][0] as number;
  return parseChunks(rows.map((r) => unpack(r[1]))).slice(start - first, end - first);
}

export function getEngineNotes(db: Db, instanceId: string, executionId: string): unknown[] {
  const notes = db.column('SELECT engine FROM history WHERE instanceId = ? AND executionId = ? AND engine IS NOT NULL ORDER BY idx', [
    instanceId,
    executionId,
  ]);
  return notes.flatMap((value) => JSON.parse(unpack(value)) as unknown[]);
}

export function historyLength(db: Db, instanceId: string, executionId: string): number {
  const row = db.one('SELECT eventCount FROM executions WHERE instanceId = ? AND executionId = ?', [instanceId, executionId]);
  return row ? (row[0] as number) : 0;
}

/** Oldest first; the last one is the current execution. */
export function listExecutions(db: Db, instanceId: string): ExecutionInfo[] {
  return db
    .all('SELECT executionId, eventCount FROM executions WHERE instanceId = ? ORDER BY ordinal', [instanceId])
    .map(([executionId, eventCount]) => ({ executionId: executionId as string, eventCount: eventCount as number }));
}

export const TIMER_COLUMNS = 'instanceId, executionId, timerId, fireAt';

export function rowToTimer(r: SqlValue[]): TimerRow {
  return { instanceId: r[0] as string, executionId: r[1] as string, timerId: r[2] as number, fireAt: r[3] as number };
}

export const WORK_ITEM_COLUMNS = 'id, kind, instanceId, executionId, taskId, name, input, createdTime';

export function rowToWorkItem(r: SqlValue[]): WorkItemRow {
  return {
    id: r[0] as number,
    kind: r[1] as WorkKind,
    instanceId: r[2] as string,
    executionId: r[3] as string,
    taskId: r[4] as number,
    name: r[5] as string,
    input: r[6] as string | null,
    createdTime: r[7] as number,
  };
}
