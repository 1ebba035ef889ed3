/**
 * The one storage interface of the host. Reads are synchronous (the queryable state lives in memory in
 * sql.js); `commit` applies a transaction to memory at once and resolves when it is durable (journal
 * fsync'd, group commit). Anything acknowledged to a client must be acknowledged after `commit` resolves.
 */
import type { HistoryEvent, RuntimeStatus } from '../../protocol/durable';

export interface InstanceRow {
  instanceId: string;
  executionId: string;
  name: string;
  version: string;
  runtimeStatus: RuntimeStatus;
  /** JSON text or null. */
  input: string | null;
  output: string | null;
  customStatus: string | null;
  /** Epoch milliseconds. */
  createdTime: number;
  lastUpdatedTime: number;
  completedTime: number | null;
  parentInstanceId: string | null;
  /** JSON text of FailureDetails when Failed. */
  failureDetails: string | null;
  /** JSON text of the engine's per-execution bookkeeping (sequence ids, processed actions). */
  engineState: string;
}

export interface MessageRow {
  id: number;
  instanceId: string;
  event: HistoryEvent;
}

export interface TimerRow {
  instanceId: string;
  executionId: string;
  timerId: number;
  /** Epoch milliseconds. */
  fireAt: number;
}

export type WorkKind = 'activity' | 'http';

export interface WorkItemRow {
  id: number;
  kind: WorkKind;
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
  /** JSON text: the activity's input, or the HttpRequestSpec of a callHttp. */
  input: string | null;
  createdTime: number;
}

export interface HistoryAppend {
  instanceId: string;
  executionId: string;
  events: HistoryEvent[];
  /**
   * The engine's note on this append (JSON, opaque here: its state delta), stored beside the events, so
   * that the engine can rebuild its state from an execution's history (`getEngineNotes`). Kept only with
   * events (every turn of the engine appends some).
   */
  engine?: unknown;
}

/**
 * A batch of changes applied atomically. Ids of new messages and work items are assigned by the store.
 * Removals (purge, clear*, delete*) apply before writes (upserts, history, additions), so "purge and
 * start again under the same id" or "delete timer 3 and add timer 3" is one commit. The store keeps the
 * objects it is given: do not change them after committing.
 */
export interface Transaction {
  upsertInstances?: InstanceRow[];
  appendHistory?: HistoryAppend[];
  /** Replaces an execution's whole history (rewind). */
  replaceHistory?: HistoryAppend[];
  addMessages?: Array<Omit<MessageRow, 'id'> & { id?: number }>;
  deleteMessages?: number[];
  addTimers?: TimerRow[];
  deleteTimers?: Array<{ instanceId: string; timerId: number }>;
  /** Deletes every timer of these instances. */
  clearTimers?: string[];
  addWorkItems?: Array<Omit<WorkItemRow, 'id'> & { id?: number }>;
  deleteWorkItems?: number[];
  /** Deletes every work item of these instances. */
  clearWorkItems?: string[];
  /** Deletes every message of these instances. */
  clearMessages?: string[];
  /** Purge: the instance, all its executions' history, messages, timers and work items. */
  purgeInstances?: string[];
}

export interface InstanceQuery {
  runtimeStatus?: RuntimeStatus[];
  /** Epoch ms, inclusive. */
  createdTimeFrom?: number;
  createdTimeTo?: number;
  instanceIdPrefix?: string;
  name?: string;
  /** Defaults to createdTime descending. */
  orderBy?: 'createdTime' | 'lastUpdatedTime' | 'instanceId' | 'name';
  descending?: boolean;
  /** Page size; 0 or absent means all. */
  top?: number;
  /** Opaque token from a previous page. */
  continuationToken?: string;
}

export interface InstancePage {
  instances: InstanceRow[];
  continuationToken: string | null;
}

export interface ExecutionInfo {
  executionId: string;
  eventCount: number;
}

export interface Store {
  getInstance(instanceId: string): InstanceRow | undefined;
  /** History of the current execution, or of `executionId` when given. */
  getHistory(instanceId: string, executionId?: string): HistoryEvent[];
  /** `limit` events of an execution's history from index `from`. */
  getHistoryRange(instanceId: string, executionId: string, from: number, limit: number): HistoryEvent[];
  historyLength(instanceId: string, executionId: string): number;
  /** The `engine` notes of an execution's appends, in order (a rewritten history drops them). */
  getEngineNotes(instanceId: string, executionId: string): unknown[];
  listExecutions(instanceId: string): ExecutionInfo[];
  queryInstances(query: InstanceQuery): InstancePage;
  countInstances(query: InstanceQuery): number;
  getMessages(instanceId: string): MessageRow[];
  /** Instance ids that have at least one message waiting. */
  instancesWithMessages(): string[];
  allTimers(): TimerRow[];
  allWorkItems(): WorkItemRow[];

  commit(tx: Transaction): Promise<void>;
  /** Writes a checkpoint now (also done periodically). */
  checkpoint(): Promise<void>;
  /** Flushes pending commits and closes files. */
  close(): Promise<void>;
}
