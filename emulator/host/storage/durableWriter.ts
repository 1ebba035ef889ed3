/**
 * The only writer of the journal and the checkpoint file.
 *
 * Appends: each turn writes every record waiting with one write and one fdatasync (group commit); a
 * commit is acknowledged when its record is durable.
 *
 * Checkpoints run beside the appends, so commits keep being acknowledged while a checkpoint is written.
 * Crash safety, step by step:
 *   1. export the state (it holds every applied transaction up to S) to state.sqlite.tmp, fsync;
 *      crash: the old checkpoint plus the journal, which has every acknowledged record, are intact;
 *      the tmp file is removed at open.
 *   2. rename it over state.sqlite, fsync the directory;
 *      crash: the new checkpoint plus the journal, whose records <= S replay skips.
 *   3. replace the journal by its part appended since the snapshot (copied from the file beside it,
 *      fsync'd, renamed over it); crash: the old journal or the new one, both good with the new
 *      checkpoint. Appends wait only for this step.
 */
import { writeFileAtomic } from './files';
import type { JournalFile } from './journal';

export interface WriterOptions {
  /** Journal size in bytes that triggers a checkpoint. Default: 16 MiB, or half the last checkpoint if larger. */
  checkpointBytes?: number;
  /**
   * Called with a human-readable message when open cut off a torn journal tail (also in
   * `store.recovery`), or when a checkpoint failed (nothing is lost: it is retried later).
   */
  onWarning?: (message: string) => void;
}

/** What checkpoints are made of. */
export interface CheckpointSource {
  /** Sequence number of the last transaction applied. */
  lastSeq(): number;
  /** The whole state as a database file, holding every transaction up to lastSeq(). */
  snapshot(): Uint8Array;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/** A record whose commit is applied in memory and waits for the record to be durable. */
interface Pending extends Waiter {
  record: Buffer;
}

const DEFAULT_CHECKPOINT_BYTES = 16 * 1024 * 1024;

export class DurableWriter {
  /** Set when the journal could not be written: memory may hold changes that are not durable, so stop. */
  failure: Error | null = null;
  private pending: Pending[] = [];
  private checkpointWaiters: Waiter[] = [];
  private appending = false;
  private checkpointing = false;
  private idle: Array<() => void> = [];
  private checkpointAt: number;
  /** Journal operations, one at a time. */
  private journalTurn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly journal: JournalFile,
    private readonly checkpointFile: string,
    private readonly source: CheckpointSource,
    /** Sequence number of the last transaction in the checkpoint file. */
    private checkpointSeq: number,
    checkpointSize: number,
    private readonly options: WriterOptions,
  ) {
    this.checkpointAt = this.threshold(checkpointSize);
  }

  /** Resolves when the record is durable. */
  write(record: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.push({ record, resolve, reject });
      this.start();
    });
  }

  /** Writes a checkpoint holding everything applied so far and empties the journal. */
  checkpoint(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.checkpointWaiters.push({ resolve, reject });
      this.start();
    });
  }

  /** Resolves when nothing is being written. */
  async whenIdle(): Promise<void> {
    while (this.appending || this.checkpointing) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  /** Stops accepting records: what is pending and what comes is rejected with `failure`. */
  fail(what: string, err: Error): void {
    this.failure ??= new Error(
      `the store's ${what} cannot be written (${err.message}); it accepts no more commits. ` +
        'Restart the emulator: everything acknowledged before is on disk.',
    );
    for (const p of this.pending.splice(0)) p.reject(this.failure);
    for (const w of this.checkpointWaiters.splice(0)) w.reject(this.failure);
  }

  private start(): void {
    if (!this.checkpointing && (this.checkpointWaiters.length || this.journal.size >= this.checkpointAt)) {
      this.checkpointing = true;
      void this.runCheckpoint().finally(() => {
        this.checkpointing = false;
        this.settled();
        if (!this.failure) this.start(); // checkpoint() calls made meanwhile want a checkpoint of their own
      });
    }
    if (this.appending || !this.pending.length) return;
    this.appending = true;
    // Start on a microtask, so that commits made in the same synchronous run share the first write.
    queueMicrotask(() => void this.appendLoop());
  }

  private settled(): void {
    if (!this.appending && !this.checkpointing) for (const resolve of this.idle.splice(0)) resolve();
  }

  private async appendLoop(): Promise<void> {
    try {
      while (!this.failure && this.pending.length) {
        const batch = this.pending;
        this.pending = [];
        try {
          await this.inTurn(async () => {
            await this.journal.append(batch.map((p) => p.record));
          });
        } catch (err) {
          this.fail('journal', err as Error);
          for (const p of batch) p.reject(this.failure!);
          return;
        }
        for (const p of batch) p.resolve();
        if (this.journal.size >= this.checkpointAt) this.start();
      }
    } finally {
      this.appending = false;
      this.settled();
    }
  }

  private async runCheckpoint(): Promise<void> {
    const waiters = this.checkpointWaiters.splice(0);
    const seq = this.source.lastSeq();
    if (seq === this.checkpointSeq && this.journal.size === 0) {
      for (const w of waiters) w.resolve(); // nothing new since the last one
      return;
    }
    let size: number;
    // Every record before this offset was applied before the snapshot (an append counts its bytes once
    // durable, and commits apply before they append), so the snapshot holds it. Records after it may
    // be older than the snapshot too (an append in flight): replay skips those.
    const keepFrom = this.journal.size;
    try {
      const bytes = this.source.snapshot();
      size = bytes.length;
      await writeFileAtomic(this.checkpointFile, bytes);
    } catch (err) {
      // The journal is untouched, so nothing is lost: retry once it has grown some more.
      this.checkpointAt = this.journal.size + this.threshold(0);
      const message = `checkpoint failed, will retry: ${(err as Error).message}`;
      this.options.onWarning?.(message);
      for (const w of waiters) w.reject(new Error(message));
      return;
    }
    try {
      await this.inTurn(() => this.journal.keepFrom(keepFrom));
    } catch (err) {
      this.fail('journal', err as Error);
      for (const w of waiters) w.reject(this.failure!);
      return;
    }
    this.checkpointSeq = seq;
    this.checkpointAt = this.threshold(size);
    for (const w of waiters) w.resolve();
  }

  /** Past this journal size a checkpoint is due: rewriting a big database often would cost more than replaying. */
  private threshold(checkpointSize: number): number {
    return this.options.checkpointBytes ?? Math.max(DEFAULT_CHECKPOINT_BYTES, checkpointSize / 2);
  }

  private inTurn<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.journalTurn.then(operation);
    this.journalTurn = run.catch(() => undefined);
    return run;
  }
}
