/**
 * The durable Store: state in sql.js (memory), made durable by a journal with group commit and periodic
 * checkpoints.
 *
 * Files in the data folder:
 *   state.sqlite  checkpoint: a whole database whose meta.lastSeq names the last journal record it holds
 *   journal.log   records after (or, right after a crash mid-checkpoint, also before) that one
 *   store.lock    pid of the process that has the folder open
 *
 * Crash safety of a checkpoint, step by step (the journal writer is paused throughout, so no record is
 * appended to a journal about to be emptied):
 *   1. export the database (it holds every applied record up to S = lastSeq) to state.sqlite.tmp, fsync;
 *      crash: the old checkpoint plus the whole journal are intact; the tmp file is removed at open.
 *   2. rename it over state.sqlite, fsync the directory;
 *      crash: the new checkpoint plus the old journal, whose records <= S replay skips.
 *   3. truncate the journal, fsync; commits that arrived meanwhile are then appended to the fresh journal.
 * Records applied but not yet written when the checkpoint began are in the checkpoint; their commits
 * resolve once it is durable.
 */
import { promises as fsp } from 'fs';
import * as path from 'path';
import type { HistoryEvent } from '../../protocol/durable';
import { assignIds, checkTransaction, IdCounters } from './apply';
import { exists, fsyncDir, writeFileAtomic } from './files';
import { encodeRecord, JournalFile } from './journal';
import { DirLock } from './lock';
import { recover, RecoveryInfo } from './recovery';
import type { StoreState } from './storeState';
import type {
  ExecutionInfo,
  InstancePage,
  InstanceQuery,
  InstanceRow,
  MessageRow,
  Store,
  TimerRow,
  Transaction,
  WorkItemRow,
} from './store';

export type { RecoveryInfo };
export const CHECKPOINT_FILE = 'state.sqlite';
export const JOURNAL_FILE = 'journal.log';
const DEFAULT_CHECKPOINT_BYTES = 16 * 1024 * 1024;
/**
 * How long committed rows and events may wait in memory before they are written to SQLite (reads that
 * need them write them first), and how many may wait. Long enough for most of an instance's turns to
 * share one write.
 */
const FLUSH_DELAY_MS = 100;
const FLUSH_SIZE = 20_000;

export interface StoreOptions {
  /** Journal size in bytes that triggers a checkpoint. Default 16 MiB. */
  checkpointBytes?: number;
  /**
   * Called with a human-readable message when open cut off a torn journal tail (also in
   * `store.recovery`), or when a checkpoint failed (nothing is lost: it is retried later).
   */
  onWarning?: (message: string) => void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/** A commit applied to memory, waiting for its journal record to be durable. */
interface Pending extends Waiter {
  record: Buffer;
}

/** Opens (creating if needed) the store in `dataDir`. Fails if another live process has it open. */
export async function openStore(dataDir: string, options: StoreOptions = {}): Promise<SqlStore> {
  dataDir = path.resolve(dataDir);
  const created = !(await exists(dataDir));
  await fsp.mkdir(dataDir, { recursive: true });
  if (created) await fsyncDir(path.dirname(dataDir));
  const lock = DirLock.acquire(dataDir);
  try {
    const r = await recover(dataDir, CHECKPOINT_FILE, JOURNAL_FILE, options.onWarning);
    return new SqlStore(dataDir, r.state, r.journal, lock, r.lastSeq, r.info.checkpointSeq, r.counters, r.info, options);
  } catch (err) {
    lock.release();
    throw err;
  }
}

export class SqlStore implements Store {
  private pending: Pending[] = [];
  private checkpointWaiters: Waiter[] = [];
  private writing = false;
  private idle: Array<() => void> = [];
  /** Set when a journal write failed: memory may hold changes that are not durable, so stop. */
  private failure: Error | null = null;
  private closing: Promise<void> | null = null;
  private checkpointAt: number;
  private flushTimer: NodeJS.Timeout | null = null;

  /** @internal use openStore */
  constructor(
    readonly dataDir: string,
    private readonly state: StoreState,
    private readonly journal: JournalFile,
    private readonly lock: DirLock,
    /** Sequence number of the last applied transaction. */
    private seq: number,
    /** Sequence number of the last transaction in state.sqlite. */
    private checkpointSeq: number,
    private counters: IdCounters,
    /** What open recovered. */
    readonly recovery: RecoveryInfo,
    private readonly options: StoreOptions,
  ) {
    this.checkpointAt = this.checkpointBytes;
  }

  private get checkpointBytes(): number {
    return this.options.checkpointBytes ?? DEFAULT_CHECKPOINT_BYTES;
  }

  getInstance(instanceId: string): InstanceRow | undefined {
    return this.state.getInstance(instanceId);
  }
  getHistory(instanceId: string, executionId?: string): HistoryEvent[] {
    return this.state.getHistory(instanceId, executionId);
  }
  getHistoryRange(instanceId: string, executionId: string, from: number, limit: number): HistoryEvent[] {
    return this.state.getHistoryRange(instanceId, executionId, from, limit);
  }
  historyLength(instanceId: string, executionId: string): number {
    return this.state.historyLength(instanceId, executionId);
  }
  listExecutions(instanceId: string): ExecutionInfo[] {
    return this.state.listExecutions(instanceId);
  }
  queryInstances(query: InstanceQuery): InstancePage {
    return this.state.queryInstances(query);
  }
  countInstances(query: InstanceQuery): number {
    return this.state.countInstances(query);
  }
  getMessages(instanceId: string): MessageRow[] {
    return this.state.getMessages(instanceId);
  }
  instancesWithMessages(): string[] {
    return this.state.instancesWithMessages();
  }
  allTimers(): TimerRow[] {
    return this.state.allTimers();
  }
  allWorkItems(): WorkItemRow[] {
    return this.state.allWorkItems();
  }

  /**
   * Applies `tx` to memory now (reads see it at once) and resolves when it is durable. New messages and
   * work items without an id get one, written into the transaction's objects. A transaction that fails
   * (e.g. a duplicate id) is rolled back entirely and rejects.
   */
  commit(tx: Transaction): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error('the store is closed'));
    const { next, undo } = assignIds(tx, this.counters);
    let record: Buffer;
    try {
      checkTransaction(tx);
      // Encode before applying: a transaction that cannot be journaled must not change memory.
      record = encodeRecord(this.seq + 1, tx);
      this.state.apply(tx);
    } catch (err) {
      undo();
      return Promise.reject(err);
    }
    this.seq++;
    this.counters = next;
    this.scheduleFlush();
    return new Promise((resolve, reject) => {
      this.pending.push({ record, resolve, reject });
      this.startWriter();
    });
  }

  /** Writes a checkpoint holding everything committed so far and empties the journal. */
  checkpoint(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.checkpointWaiters.push({ resolve, reject });
      this.startWriter();
    });
  }

  /** Makes pending commits durable, writes a checkpoint, closes the files and releases the folder. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        // A failed checkpoint was reported through onWarning and left everything in the journal.
        if (!this.failure) await this.checkpoint().catch(() => undefined);
        await this.whenIdle();
      } finally {
        await this.journal.close();
        if (this.flushTimer) clearTimeout(this.flushTimer);
        this.state.close();
        this.lock.release();
      }
    })();
    return this.closing;
  }

  private scheduleFlush(): void {
    if (this.state.pendingSize >= FLUSH_SIZE) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS).unref();
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    try {
      this.state.flush();
    } catch (err) {
      // Cannot happen with checked transactions; if it does, memory and journal may disagree: stop.
      this.fail('database', err as Error, []);
    }
  }

  private startWriter(): void {
    if (this.writing) return;
    this.writing = true;
    // Start on a microtask, so that commits made in the same synchronous run share the first write.
    queueMicrotask(() => void this.writeLoop());
  }

  private whenIdle(): Promise<void> {
    return this.writing ? new Promise((resolve) => this.idle.push(resolve)) : Promise.resolve();
  }

  /**
   * The only writer of the journal and checkpoint. Each turn writes everything pending with one write and
   * one fdatasync; commits arriving during it wait for the next turn (group commit).
   */
  private async writeLoop(): Promise<void> {
    try {
      while (!this.failure) {
        if (this.checkpointWaiters.length || this.journal.size >= this.checkpointAt) {
          await this.writeCheckpoint();
        } else if (this.pending.length) {
          const batch = this.pending;
          this.pending = [];
          try {
            await this.journal.append(batch.map((p) => p.record));
          } catch (err) {
            this.fail('journal', err as Error, batch);
            return;
          }
          for (const p of batch) p.resolve();
        } else {
          return;
        }
      }
    } finally {
      this.writing = false;
      for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  private async writeCheckpoint(): Promise<void> {
    const waiters = this.checkpointWaiters;
    const covered = this.pending; // applied, so in the export: durable once the checkpoint is
    this.checkpointWaiters = [];
    this.pending = [];
    if (this.seq === this.checkpointSeq && this.journal.size === 0) {
      for (const w of waiters) w.resolve(); // nothing new since the last one
      return;
    }
    const seq = this.seq;
    try {
      await writeFileAtomic(path.join(this.dataDir, CHECKPOINT_FILE), this.state.snapshot({ lastSeq: seq, ...this.counters }));
    } catch (err) {
      // The journal is untouched, so nothing is lost: journal the covered commits, retry later.
      this.pending = covered.concat(this.pending);
      this.checkpointAt = this.journal.size + this.checkpointBytes;
      const message = `checkpoint failed, will retry: ${(err as Error).message}`;
      this.options.onWarning?.(message);
      for (const w of waiters) w.reject(new Error(message));
      return;
    }
    this.checkpointSeq = seq;
    this.checkpointAt = this.checkpointBytes;
    try {
      await this.journal.reset();
    } catch (err) {
      this.fail('journal', err as Error, []);
      for (const w of waiters) w.reject(this.failure!);
    }
    for (const p of covered) p.resolve();
    if (!this.failure) for (const w of waiters) w.resolve();
  }

  private fail(what: string, err: Error, batch: Pending[]): void {
    this.failure = new Error(
      `the store's ${what} cannot be written (${err.message}); it accepts no more commits. ` +
        'Restart the emulator: everything acknowledged before is on disk.',
    );
    for (const p of batch.concat(this.pending.splice(0))) p.reject(this.failure);
    for (const w of this.checkpointWaiters.splice(0)) w.reject(this.failure);
  }
}
