/**
 * The store's short-lived rows: messages waiting for their instance's next turn, armed timers, work items
 * in flight. Most live for one turn (a work item is added by one episode and removed by the next), so
 * they are kept in memory, made durable by the journal, and written to their tables only at a checkpoint,
 * from which the next open loads them before replaying the journal. Writing each to SQLite on the way in
 * and deleting it on the way out was a fifth of the host's work per orchestration.
 */
import type { Db } from './db';
import { rowToTimer, rowToWorkItem, TIMER_COLUMNS, WORK_ITEM_COLUMNS } from './reads';
import type { HistoryEvent } from '../../protocol/durable';
import type { MessageRow, TimerRow, Transaction, WorkItemRow } from './store';

/** A map of maps: instance id -> key -> row. */
class ByInstance<K, V> {
  readonly map = new Map<string, Map<K, V>>();

  get(instanceId: string): Map<K, V> | undefined {
    return this.map.get(instanceId);
  }
  set(instanceId: string, key: K, value: V): void {
    let rows = this.map.get(instanceId);
    if (!rows) this.map.set(instanceId, (rows = new Map()));
    rows.set(key, value);
  }
  delete(instanceId: string, key: K): void {
    const rows = this.map.get(instanceId);
    if (rows?.delete(key) && !rows.size) this.map.delete(instanceId);
  }
  clear(instanceId: string): V[] {
    const rows = this.map.get(instanceId);
    this.map.delete(instanceId);
    return rows ? [...rows.values()] : [];
  }
  *values(): IterableIterator<V> {
    for (const rows of this.map.values()) yield* rows.values();
  }
}

export class Queues {
  private readonly messages = new ByInstance<number, MessageRow>();
  private readonly messageOwner = new Map<number, string>();
  private readonly timers = new ByInstance<number, TimerRow>();
  private readonly workItems = new ByInstance<number, WorkItemRow>();
  private readonly workItemOwner = new Map<number, string>();

  /** Loads what a checkpoint holds. */
  static load(db: Db): Queues {
    const queues = new Queues();
    for (const [id, instanceId, event] of db.all('SELECT id, instanceId, event FROM messages')) {
      queues.addMessage({ id: id as number, instanceId: instanceId as string, event: JSON.parse(event as string) as HistoryEvent });
    }
    for (const row of db.all(`SELECT ${TIMER_COLUMNS} FROM timers`)) queues.addTimer(rowToTimer(row));
    for (const row of db.all(`SELECT ${WORK_ITEM_COLUMNS} FROM work_items`)) queues.addWorkItem(rowToWorkItem(row));
    return queues;
  }

  /** Replaces the tables' contents with the rows in memory, for a checkpoint. */
  save(db: Db): void {
    db.atomically(() => {
      db.run('DELETE FROM messages');
      db.run('DELETE FROM timers');
      db.run('DELETE FROM work_items');
      for (const m of this.messages.values()) {
        db.run('INSERT INTO messages (id, instanceId, event) VALUES (?, ?, ?)', [m.id, m.instanceId, JSON.stringify(m.event)]);
      }
      for (const t of this.timers.values()) {
        db.run(`INSERT INTO timers (${TIMER_COLUMNS}) VALUES (?, ?, ?, ?)`, [t.instanceId, t.executionId, t.timerId, t.fireAt]);
      }
      for (const w of this.workItems.values()) {
        db.run(`INSERT INTO work_items (${WORK_ITEM_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
          w.id, w.kind, w.instanceId, w.executionId, w.taskId, w.name, w.input ?? null, w.createdTime,
        ]);
      }
    });
  }

  /**
   * Throws, changing nothing, if `tx` would add a message or work item under an id that is in use after
   * its removals (ids given by the caller, as in a replay, are kept).
   */
  check(tx: Transaction): void {
    const unique = (what: string, ids: number[], owner: Map<number, string>, deleted?: number[], cleared?: string[]) => {
      const seen = new Set<number>();
      for (const id of ids) {
        const holder = owner.get(id);
        // Store-assigned ids are new; only an id given by the caller can be taken (the lookups are rare).
        const inUse = holder !== undefined && !deleted?.includes(id) && !cleared?.includes(holder) && !tx.purgeInstances?.includes(holder);
        if (inUse || seen.has(id)) throw new Error(`UNIQUE constraint failed: ${what} id ${id} is in use`);
        seen.add(id);
      }
    };
    unique('message', (tx.addMessages ?? []).map((m) => m.id!), this.messageOwner, tx.deleteMessages, tx.clearMessages);
    unique('work item', (tx.addWorkItems ?? []).map((w) => w.id!), this.workItemOwner, tx.deleteWorkItems, tx.clearWorkItems);
  }

  /** Applies the queue part of `tx` (already checked): removals, then additions. */
  apply(tx: Transaction): void {
    for (const instanceId of tx.purgeInstances ?? []) {
      this.clearMessages(instanceId);
      this.timers.clear(instanceId);
      this.clearWorkItems(instanceId);
    }
    for (const instanceId of tx.clearMessages ?? []) this.clearMessages(instanceId);
    for (const instanceId of tx.clearTimers ?? []) this.timers.clear(instanceId);
    for (const instanceId of tx.clearWorkItems ?? []) this.clearWorkItems(instanceId);
    for (const id of tx.deleteMessages ?? []) {
      const owner = this.messageOwner.get(id);
      if (owner === undefined) continue;
      this.messageOwner.delete(id);
      this.messages.delete(owner, id);
    }
    for (const { instanceId, timerId } of tx.deleteTimers ?? []) this.timers.delete(instanceId, timerId);
    for (const id of tx.deleteWorkItems ?? []) {
      const owner = this.workItemOwner.get(id);
      if (owner === undefined) continue;
      this.workItemOwner.delete(id);
      this.workItems.delete(owner, id);
    }
    for (const m of tx.addMessages ?? []) this.addMessage({ id: m.id!, instanceId: m.instanceId, event: m.event });
    // A re-armed timer is the same timer: it replaces one with the same id.
    for (const t of tx.addTimers ?? []) this.addTimer({ instanceId: t.instanceId, executionId: t.executionId, timerId: t.timerId, fireAt: t.fireAt });
    for (const w of tx.addWorkItems ?? []) this.addWorkItem({ ...w, id: w.id!, input: w.input ?? null });
  }

  /** Oldest (lowest id) first. */
  getMessages(instanceId: string): MessageRow[] {
    const rows = this.messages.get(instanceId);
    return rows ? [...rows.values()].sort((a, b) => a.id - b.id) : [];
  }

  instancesWithMessages(): string[] {
    return [...this.messages.map.keys()].sort();
  }

  /** Soonest first. */
  allTimers(): TimerRow[] {
    return [...this.timers.values()].sort(
      (a, b) => a.fireAt - b.fireAt || compare(a.instanceId, b.instanceId) || a.timerId - b.timerId,
    );
  }

  /** Oldest (lowest id) first. */
  allWorkItems(): WorkItemRow[] {
    return [...this.workItems.values()].sort((a, b) => a.id - b.id);
  }

  private addMessage(m: MessageRow): void {
    this.messages.set(m.instanceId, m.id, m);
    this.messageOwner.set(m.id, m.instanceId);
  }
  private addTimer(t: TimerRow): void {
    this.timers.set(t.instanceId, t.timerId, t);
  }
  private addWorkItem(w: WorkItemRow): void {
    this.workItems.set(w.instanceId, w.id, w);
    this.workItemOwner.set(w.id, w.instanceId);
  }
  private clearMessages(instanceId: string): void {
    for (const m of this.messages.clear(instanceId)) this.messageOwner.delete(m.id);
  }
  private clearWorkItems(instanceId: string): void {
    for (const w of this.workItems.clear(instanceId)) this.workItemOwner.delete(w.id);
  }
}

/** Plain code-unit order, as instance ids sort elsewhere. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
