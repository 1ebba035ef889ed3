/**
 * Completions not committed on their own: an activity's result or a fired timer waits here until the
 * instance's next turn commits it together with the removal of its work item or timer, as DTFx
 * processes a completion message with the episode that consumes it. One commit instead of two per
 * completion; a crash before that turn leaves the work item or timer in storage, so the work runs
 * (or the timer fires) again: at-least-once, as promised.
 */
import type { HistoryEvent } from '../../protocol/durable';
import type { MessageRow, Transaction } from '../storage/store';

interface Pending {
  /** Negative, so it never collides with stored message ids. */
  id: number;
  event: HistoryEvent;
  workItemId?: number;
  timerId?: number;
}

export class VolatileInbox {
  private nextId = -1;
  private readonly byInstance = new Map<string, Pending[]>();
  /** Instances with a fired timer waiting (checked at every completion: a scan would be quadratic). */
  private readonly timersFired = new Set<string>();

  add(instanceId: string, event: HistoryEvent, source: { workItemId?: number; timerId?: number }): void {
    let list = this.byInstance.get(instanceId);
    if (!list) this.byInstance.set(instanceId, (list = []));
    list.push({ id: this.nextId--, event, ...source });
    if (source.timerId !== undefined) this.timersFired.add(instanceId);
  }

  peek(instanceId: string): MessageRow[] {
    return (this.byInstance.get(instanceId) ?? []).map((p) => ({ id: p.id, instanceId, event: p.event }));
  }

  /** Whether everything waiting for the instance is an activity's result (no fired timer). */
  onlyCompletions(instanceId: string): boolean {
    return !this.timersFired.has(instanceId);
  }

  /** Removes the consumed entries; returns the storage deletions that make their consumption durable. */
  take(instanceId: string, ids: number[]): Pick<Transaction, 'deleteWorkItems' | 'deleteTimers'> {
    const list = this.byInstance.get(instanceId);
    if (!list || !ids.length) return { deleteWorkItems: [], deleteTimers: [] };
    const taken = new Set(ids);
    const deleteWorkItems: number[] = [];
    const deleteTimers: Array<{ instanceId: string; timerId: number }> = [];
    const kept = list.filter((p) => {
      if (!taken.has(p.id)) return true;
      if (p.workItemId !== undefined) deleteWorkItems.push(p.workItemId);
      if (p.timerId !== undefined) deleteTimers.push({ instanceId, timerId: p.timerId });
      return false;
    });
    if (kept.length) this.byInstance.set(instanceId, kept);
    else this.byInstance.delete(instanceId);
    if (!kept.some((p) => p.timerId !== undefined)) this.timersFired.delete(instanceId);
    return { deleteWorkItems, deleteTimers };
  }

  clear(instanceId: string): void {
    this.byInstance.delete(instanceId);
    this.timersFired.delete(instanceId);
  }

  instances(): string[] {
    return [...this.byInstance.keys()];
  }
}
