/**
 * Durable timers waiting to fire: a min-heap of fire times with one clock alarm for the earliest,
 * so that 100,000 armed timers cost one pending setTimeout.
 */
import type { Clock } from './clock';

export interface ArmedTimer {
  instanceId: string;
  timerId: number;
  fireAt: number;
}

const keyOf = (instanceId: string, timerId: number) => `${instanceId}\u0000${timerId}`;

export class TimerQueue {
  private heap: ArmedTimer[] = [];
  private live = new Map<string, ArmedTimer>();
  private cancelAlarm: (() => void) | null = null;
  private alarmAt = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly onFire: (timer: ArmedTimer) => void,
  ) {}

  get size(): number {
    return this.live.size;
  }

  arm(timer: ArmedTimer): void {
    const key = keyOf(timer.instanceId, timer.timerId);
    if (this.live.has(key)) return;
    this.live.set(key, timer);
    this.push(timer);
    this.schedule();
  }

  cancel(instanceId: string, timerId: number): void {
    this.live.delete(keyOf(instanceId, timerId));
  }

  cancelInstance(instanceId: string): void {
    for (const [key, timer] of this.live) if (timer.instanceId === instanceId) this.live.delete(key);
  }

  stop(): void {
    this.cancelAlarm?.();
    this.cancelAlarm = null;
    this.alarmAt = Infinity;
  }

  private schedule(): void {
    this.dropCancelled();
    const next = this.heap[0];
    if (!next) return this.stop();
    if (next.fireAt >= this.alarmAt && this.cancelAlarm) return;
    this.cancelAlarm?.();
    this.alarmAt = next.fireAt;
    this.cancelAlarm = this.clock.at(next.fireAt, () => {
      this.cancelAlarm = null;
      this.alarmAt = Infinity;
      this.fireDue();
    });
  }

  /**
   * Fires what is due now instead of when the alarm's callback gets its turn: a busy event loop (a burst of
   * hundreds of starts handled in one poll phase) runs the alarm late by the whole burst.
   */
  fireIfDue(): void {
    if (this.alarmAt > this.clock.now()) return;
    this.stop();
    this.fireDue();
  }

  private fireDue(): void {
    const now = this.clock.now();
    while (this.heap.length && this.heap[0].fireAt <= now) {
      const timer = this.pop();
      const key = keyOf(timer.instanceId, timer.timerId);
      if (this.live.get(key) !== timer) continue;
      this.live.delete(key);
      this.onFire(timer);
    }
    this.schedule();
  }

  /** Cancelled timers stay in the heap until they reach the top. */
  private dropCancelled(): void {
    while (this.heap.length && this.live.get(keyOf(this.heap[0].instanceId, this.heap[0].timerId)) !== this.heap[0]) this.pop();
  }

  private push(timer: ArmedTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].fireAt <= heap[i].fireAt) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  }

  private pop(): ArmedTimer {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l].fireAt < heap[m].fireAt) m = l;
        if (r < heap.length && heap[r].fireAt < heap[m].fireAt) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  }
}
