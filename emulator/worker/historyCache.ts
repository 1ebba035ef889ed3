/**
 * Per-execution cache of orchestration histories, so the host sends only the events the worker has not
 * seen (`historyBase` on) instead of the whole history every episode; beside them, the descriptions of
 * the actions the host recorded (`recordedBase` on), which replay is checked against. Least recently used
 * entries are dropped past the capacity; a miss makes the worker ask for the whole history.
 */
import type { HistoryEvent } from '../protocol/durable';
import type { OrchestratorInvocation } from '../protocol/worker';

interface Entry {
  executionId: string;
  history: HistoryEvent[];
  recorded: string[];
}

export type CachedExecution = Omit<Entry, 'executionId'>;

export class HistoryCache {
  // Keyed by instance: only one execution of an instance runs at a time, and the entry records which,
  // so (instanceId, executionId) is matched exactly while `forget` stays a single delete.
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly capacity = 1000) {}

  /**
   * The full history and recorded actions for this episode, cached for the next one; undefined when the
   * cache does not hold exactly the `historyBase` events and `recordedBase` actions the host assumed.
   */
  assemble(invocation: OrchestratorInvocation): CachedExecution | undefined {
    const { instanceId, executionId, historyBase } = invocation;
    let entry: Entry;
    if (historyBase === 0) {
      entry = { executionId, history: invocation.history, recorded: invocation.recorded ?? [] };
    } else {
      const cached = this.#entries.get(instanceId);
      if (!cached || cached.executionId !== executionId || cached.history.length !== historyBase) {
        return undefined;
      }
      if (invocation.recorded && cached.recorded.length !== invocation.recordedBase) {
        return undefined;
      }
      entry = cached;
      // In place and one by one: a delta can be long, and spreading it into push() could overflow the stack.
      for (const event of invocation.history) entry.history.push(event);
      for (const action of invocation.recorded ?? []) entry.recorded.push(action);
    }
    this.#entries.delete(instanceId);
    this.#entries.set(instanceId, entry);
    if (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    return entry;
  }

  forget(instanceId: string): void {
    this.#entries.delete(instanceId);
  }
}
