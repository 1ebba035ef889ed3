/**
 * Per-execution cache of orchestration histories, so the host sends only the events the worker has not
 * seen (`historyBase` on) instead of the whole history every episode. Least recently used entries are
 * dropped past the capacity; a miss makes the worker ask for the whole history.
 */
import type { HistoryEvent } from '../protocol/durable';
import type { OrchestratorInvocation } from '../protocol/worker';

interface Entry {
  executionId: string;
  history: HistoryEvent[];
}

export class HistoryCache {
  // Keyed by instance: only one execution of an instance runs at a time, and the entry records which,
  // so (instanceId, executionId) is matched exactly while `forget` stays a single delete.
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly capacity = 1000) {}

  /**
   * The full history for this episode, cached for the next one; undefined when the cache does not hold
   * exactly the `historyBase` events of this execution that the host assumed.
   */
  assemble(invocation: OrchestratorInvocation): HistoryEvent[] | undefined {
    const { instanceId, executionId, historyBase } = invocation;
    let history: HistoryEvent[];
    if (historyBase === 0) {
      history = invocation.history;
    } else {
      const entry = this.#entries.get(instanceId);
      if (!entry || entry.executionId !== executionId || entry.history.length !== historyBase) {
        return undefined;
      }
      history = entry.history;
      // In place and one by one: the delta can be long, and spreading it into push() could overflow the stack.
      for (const event of invocation.history) {
        history.push(event);
      }
    }
    this.#entries.delete(instanceId);
    this.#entries.set(instanceId, { executionId, history });
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    return history;
  }

  forget(instanceId: string): void {
    this.#entries.delete(instanceId);
  }
}
