/**
 * Instance rows and history appends that are committed (journaled) but not yet written to SQLite. An
 * instance goes through several turns in a fraction of a second, each rewriting its row and appending a
 * few events; written later in one go, its turns cost one upsert and one history row instead of one of
 * each per turn. Reads that need SQLite flush first; point reads of a row or a history length are
 * answered from here.
 */
import { applySql, eventCount, MergedAppend } from './apply';
import type { Db } from './db';
import type { InstanceRow, Transaction } from './store';

export class PendingWrites {
  private readonly rows = new Map<string, InstanceRow>();
  /**
   * Every execution the deferred writes touch, in the order they first appear (a new one is numbered
   * after the instance's others when written, as it would have been at once), with its new events.
   */
  private readonly executions = new Map<string, MergedAppend>();
  private eventCount = 0;

  /** How much is waiting: rows plus events. */
  get size(): number {
    return this.rows.size + this.eventCount;
  }

  /** Takes the instance and history part of a transaction without purges or rewritten histories. */
  add(tx: Transaction): void {
    for (const row of tx.upsertInstances ?? []) {
      this.rows.set(row.instanceId, row);
      this.execution(row.instanceId, row.executionId);
    }
    for (const append of tx.appendHistory ?? []) {
      const pending = this.execution(append.instanceId, append.executionId);
      for (const event of append.events) pending.events.push(event);
      if (append.engine !== undefined) pending.engineNotes.push(append.engine);
      this.eventCount += append.events.length;
    }
  }

  row(instanceId: string): InstanceRow | undefined {
    return this.rows.get(instanceId);
  }

  /** How many events of the execution are waiting here. */
  events(instanceId: string, executionId: string): number {
    return this.executions.get(key(instanceId, executionId))?.events.length ?? 0;
  }

  /** The engine notes of the execution's appends waiting here. */
  engineNotes(instanceId: string, executionId: string): unknown[] {
    return this.executions.get(key(instanceId, executionId))?.engineNotes ?? [];
  }

  /** Writes everything waiting to the database, atomically, and forgets it. */
  flush(db: Db): void {
    if (!this.executions.size) return;
    const executions = [...this.executions.values()];
    db.atomically(() => {
      const counts = new Map<string, number>();
      for (const { instanceId, executionId } of executions) eventCount(db, instanceId, executionId, counts);
      applySql(db, { upsertInstances: [...this.rows.values()], appendHistory: executions.filter((e) => e.events.length) }, counts);
    });
    this.rows.clear();
    this.executions.clear();
    this.eventCount = 0;
  }

  private execution(instanceId: string, executionId: string): MergedAppend {
    const k = key(instanceId, executionId);
    let entry = this.executions.get(k);
    if (!entry) this.executions.set(k, (entry = { instanceId, executionId, events: [], engineNotes: [] }));
    return entry;
  }
}

function key(instanceId: string, executionId: string): string {
  return `${instanceId}\u0000${executionId}`;
}
