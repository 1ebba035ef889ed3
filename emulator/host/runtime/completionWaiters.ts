/** Callers waiting for instances to finish (HTTP `?timeout=`, waitForCompletionOrCreateCheckStatusResponse). */
import type { InstanceRow } from '../storage/store';

export class CompletionWaiters {
  private readonly waiting = new Map<string, Set<(row: InstanceRow | undefined) => void>>();

  /** Resolves with the finished row, or undefined after `timeoutMs`. */
  wait(instanceId: string, timeoutMs: number): Promise<InstanceRow | undefined> {
    return new Promise((resolve) => {
      let set = this.waiting.get(instanceId);
      if (!set) this.waiting.set(instanceId, (set = new Set()));
      const done = (finished: InstanceRow | undefined) => {
        clearTimeout(timer);
        set!.delete(done);
        if (!set!.size) this.waiting.delete(instanceId);
        resolve(finished);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      set.add(done);
    });
  }

  finished(row: InstanceRow): void {
    for (const done of this.waiting.get(row.instanceId) ?? []) done(row);
  }
}
