/**
 * When an instance's next episode waits for more of its completions. Every episode replays the whole
 * history in the worker, which also runs the activities: a fan-in of n completions handled as they come
 * (a few hundred per episode, as many as ran meanwhile) costs n/batch replays of a growing history, which
 * is quadratic. So while an instance still has work in flight and only completions are waiting, its next
 * episode starts no sooner than twice its last one's duration after that one ended: batches then grow
 * with the history, the replays of a fan-in number about the logarithm of its size, and replay keeps to
 * about a third of the worker's time. Nothing waits when the last of its work completes, or for events,
 * timers and control messages.
 */

/** The pause after an episode, in multiples of its duration. */
const PAUSE_FACTOR = 2;

interface Last {
  endedAt: number;
  tookMs: number;
}

export class FanInPacer {
  private readonly last = new Map<string, Last>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly wake: (instanceId: string) => void) {}

  /** The instance's episode that just ended took `ms`, worker round trip included. */
  episodeTook(instanceId: string, ms: number): void {
    this.last.set(instanceId, { endedAt: performance.now(), tookMs: ms });
  }

  /**
   * Whether the instance's turn should wait; if so, it is woken when the wait is over (completions that
   * arrive meanwhile wake it too, and it is held again).
   */
  hold(instanceId: string, onlyCompletions: boolean, inFlight: number): boolean {
    const last = this.last.get(instanceId);
    if (!onlyCompletions || inFlight === 0 || !last) return false;
    const wait = last.endedAt + PAUSE_FACTOR * last.tookMs - performance.now();
    if (wait <= 0) return false;
    if (!this.timers.has(instanceId)) {
      this.timers.set(
        instanceId,
        setTimeout(() => {
          this.timers.delete(instanceId);
          this.wake(instanceId);
        }, wait),
      );
    }
    return true;
  }

  /** The execution ended: nothing more to pace. */
  forget(instanceId: string): void {
    this.last.delete(instanceId);
    clearTimeout(this.timers.get(instanceId));
    this.timers.delete(instanceId);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
