/**
 * Back-pressure on starts. A new instance's first turn waits for a free orchestrator slot; under a burst
 * of starts that queue can hold hundreds, and a start acknowledged at once would begin running (and
 * stamp the time its orchestrator counts from) long after the client got its 202. Instead the start's
 * acknowledgement waits until the instance's turn has begun, at most `maxWaitMs`: the door lets starts
 * in at the rate the emulator runs them. A free slot begins the turn at once, so without a queue
 * nothing waits.
 */
export class TurnAdmission {
  /** Instances whose turn is queued for a slot, with the acknowledgements waiting on it. */
  private readonly queued = new Map<string, Array<() => void>>();

  constructor(private readonly maxWaitMs: number) {}

  /** The instance's turn was queued for a slot. */
  queue(instanceId: string): void {
    if (!this.queued.has(instanceId)) this.queued.set(instanceId, []);
  }

  /** The instance's turn has a slot: what waits for it goes on. */
  began(instanceId: string): void {
    const waiting = this.queued.get(instanceId);
    if (!waiting) return;
    this.queued.delete(instanceId);
    for (const go of waiting) go();
  }

  /** Resolves once the instance's queued turn has begun (at once if none is queued), or after `maxWaitMs`. */
  waitForTurn(instanceId: string): Promise<void> {
    const waiting = this.queued.get(instanceId);
    if (!waiting) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.maxWaitMs);
      waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Stopping: nothing waits any more. */
  releaseAll(): void {
    for (const id of [...this.queued.keys()]) this.began(id);
  }
}
