/**
 * The store's state in memory: the sql.js database (instances, executions, histories), the queues
 * (messages, timers, work items) and the writes not yet in the database. Applying a transaction here is
 * what a live commit and a journal replay both do; durability (journal, checkpoints) is sqlStore.ts's.
 */
import type { HistoryEvent } from '../../protocol/durable';
import { applySql } from './apply';
import type { Db } from './db';
import { countInstances, queryInstances } from './instanceQuery';
import { PendingWrites } from './pendingWrites';
import { Queues } from './queues';
import * as reads from './reads';
import { Meta, writeMeta } from './schema';
import type { ExecutionInfo, InstancePage, InstanceQuery, InstanceRow, MessageRow, TimerRow, Transaction, WorkItemRow } from './store';

/** Rows plus events that may wait for a flush. */
const MAX_PENDING = 20_000;

export class StoreState {
  private readonly pending = new PendingWrites();

  constructor(
    readonly db: Db,
    private readonly queues: Queues,
  ) {}

  /** State from a database (a checkpoint): its queue tables are loaded into memory. */
  static load(db: Db): StoreState {
    return new StoreState(db, Queues.load(db));
  }

  /**
   * Applies `tx` (ids assigned, values checked): all of it or, when it fails (an id in use, a database
   * error), nothing. Purges and rewritten histories go to the database at once, after what is pending.
   */
  apply(tx: Transaction): void {
    // Bounds what waits, in a replay too (whose records all apply before anything reads).
    if (this.pending.size >= MAX_PENDING) this.flush();
    this.queues.check(tx);
    if (tx.purgeInstances?.length || tx.replaceHistory?.length) {
      this.flush();
      this.db.atomically(() => applySql(this.db, tx, new Map()));
    } else {
      this.pending.add(tx);
    }
    this.queues.apply(tx);
  }

  /** Writes pending rows and events to the database. */
  flush(): void {
    this.pending.flush(this.db);
  }

  /** The whole state as a database file, with `meta` recorded in it. */
  snapshot(meta: Partial<Meta>): Uint8Array {
    this.flush();
    this.queues.save(this.db);
    writeMeta(this.db, meta);
    return this.db.export();
  }

  getInstance(instanceId: string): InstanceRow | undefined {
    return this.pending.row(instanceId) ?? reads.getInstance(this.db, instanceId);
  }
  historyLength(instanceId: string, executionId: string): number {
    return reads.historyLength(this.db, instanceId, executionId) + this.pending.events(instanceId, executionId);
  }
  getHistory(instanceId: string, executionId?: string): HistoryEvent[] {
    this.flush();
    return reads.getHistory(this.db, instanceId, executionId);
  }
  /** Without a flush: the first turn of every new instance asks, and a flush each time would undo the batching. */
  getEngineNotes(instanceId: string, executionId: string): unknown[] {
    return [...reads.getEngineNotes(this.db, instanceId, executionId), ...this.pending.engineNotes(instanceId, executionId)];
  }
  getHistoryRange(instanceId: string, executionId: string, from: number, limit: number): HistoryEvent[] {
    this.flush();
    return reads.getHistoryRange(this.db, instanceId, executionId, from, limit);
  }
  listExecutions(instanceId: string): ExecutionInfo[] {
    this.flush();
    return reads.listExecutions(this.db, instanceId);
  }
  queryInstances(query: InstanceQuery): InstancePage {
    this.flush();
    return queryInstances(this.db, query);
  }
  countInstances(query: InstanceQuery): number {
    this.flush();
    return countInstances(this.db, query);
  }
  getMessages(instanceId: string): MessageRow[] {
    return this.queues.getMessages(instanceId);
  }
  instancesWithMessages(): string[] {
    return this.queues.instancesWithMessages();
  }
  allTimers(): TimerRow[] {
    return this.queues.allTimers();
  }
  allWorkItems(): WorkItemRow[] {
    return this.queues.allWorkItems();
  }

  close(): void {
    this.db.close();
  }
}
