/**
 * The durable Store: state in sql.js (memory), made durable by a journal with group commit and periodic
 * checkpoints.
 *
 * Files in the data folder:
 *   state.sqlite  checkpoint: a whole database whose meta.lastSeq names the last journal record it holds
 *   journal.log   records after (or, right after a crash mid-checkpoint, also before) that one
 *   store.lock    pid of the process that has the folder open
 *
 * Writing them, and crash safety, is durableWriter.ts's.
 */
import { promises as fsp } from 'fs';
import * as path from 'path';
import type { HistoryEvent } from '../../protocol/durable';
import { assignIds, checkTransaction, IdCounters } from './apply';
import { DurableWriter, WriterOptions } from './durableWriter';
import { exists, fsyncDir } from './files';
import { encodeRecord, JournalFile } from './journal';
import { DirLock } from './lock';
import { recover, Recovered, RecoveryInfo } from './recovery';
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
/**
 * How long committed rows and events may wait in memory before they are written to SQLite (reads that
 * need them write them first; storeState.ts bounds how many may wait). Long enough for most of an
 * instance's turns to share one write.
 */
const FLUSH_DELAY_MS = 100;

export type StoreOptions = WriterOptions;

/** Opens (creating if needed) the store in `dataDir`. Fails if another live process has it open. */
export async function openStore(dataDir: string, options: StoreOptions = {}): Promise<SqlStore> {
  dataDir = path.resolve(dataDir);
  const created = !(await exists(dataDir));
  await fsp.mkdir(dataDir, { recursive: true });
  if (created) await fsyncDir(path.dirname(dataDir));
  const lock = DirLock.acquire(dataDir);
  try {
    const r = await recover(dataDir, CHECKPOINT_FILE, JOURNAL_FILE, options.onWarning);
    return new SqlStore(dataDir, r, lock, options);
  } catch (err) {
    lock.release();
    throw err;
  }
}

export class SqlStore implements Store {
  /** What open recovered. */
  readonly recovery: RecoveryInfo;
  private readonly state: StoreState;
  private readonly journal: JournalFile;
  private readonly writer: DurableWriter;
  /** Sequence number of the last applied transaction. */
  private seq: number;
  private counters: IdCounters;
  private closing: Promise<void> | null = null;
  private flushTimer: NodeJS.Timeout | null = null;

  /** @internal use openStore */
  constructor(
    readonly dataDir: string,
    recovered: Recovered,
    private readonly lock: DirLock,
    options: StoreOptions,
  ) {
    ({ state: this.state, journal: this.journal, lastSeq: this.seq, counters: this.counters, info: this.recovery } = recovered);
    const source = { lastSeq: () => this.seq, snapshot: () => this.state.snapshot({ lastSeq: this.seq, ...this.counters }) };
    this.writer = new DurableWriter(this.journal, path.join(dataDir, CHECKPOINT_FILE), source, recovered.info.checkpointSeq, recovered.checkpointSize, options);
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
  getEngineNotes(instanceId: string, executionId: string): unknown[] {
    return this.state.getEngineNotes(instanceId, executionId);
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
    if (this.writer.failure) return Promise.reject(this.writer.failure);
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
    return this.writer.write(record);
  }

  /** Writes a checkpoint holding everything committed so far and empties the journal. */
  checkpoint(): Promise<void> {
    return this.writer.checkpoint();
  }

  /** Makes pending commits durable, writes a checkpoint, closes the files and releases the folder. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        // A failed checkpoint was reported through onWarning and left everything in the journal.
        if (!this.writer.failure) await this.checkpoint().catch(() => undefined);
        await this.writer.whenIdle();
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
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS).unref();
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    try {
      this.state.flush();
    } catch (err) {
      // Cannot happen with checked transactions; if it does, memory and journal may disagree: stop.
      this.writer.fail('database', err as Error);
    }
  }
}
