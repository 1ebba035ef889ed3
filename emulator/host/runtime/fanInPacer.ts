/**
 * When an instance's next episode waits for more of its completions. Every episode replays the whole
 * history in the worker, which also runs the activities: a fan-in of n completions handled as they come
 * (a few hundred per episode, as many as ran meanwhile) costs n/batch replays of a growing history, which
 * is quadratic. So while an instance still has work in flight and only completions are waiting, its next
 * episode waits up to twice as long as its last one took: batches then grow with the history, the
 * number of episodes of a fan-in grows with its logarithm, and replay stays a fixed share of the time.
 * Nothing waits when the last of its work completes, or for events, timers and control messages.
 */

/** Longest a completion waits for company, however slow the instance's episodes are. */
const MAX_WAIT_MS = 1000;

export class FanInPacer {
  private readonly lastEpisodeMs = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly wake: (instanceId: string) => void) {}

  /** How long the instance's last episode took, worker round trip included. */
  episodeTook(instanceId: string, ms: number): void {
    this.lastEpisodeMs.set(instanceId, ms);
  }

  /**
   * Whether the instance's turn should wait; if so, it is woken when the wait is over (completions that
   * arrive meanwhile wake it too, and it is held again).
   */
  hold(instanceId: string, onlyCompletions: boolean, inFlight: number, oldestWaitedMs: number): boolean {
    if (!onlyCompletions || inFlight === 0) return false;
    const wait = Math.min(MAX_WAIT_MS, 2 * (this.lastEpisodeMs.get(instanceId) ?? 0)) - oldestWaitedMs;
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
    this.lastEpisodeMs.delete(instanceId);
    clearTimeout(this.timers.get(instanceId));
    this.timers.delete(instanceId);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
