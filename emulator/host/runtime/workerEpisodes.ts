/**
 * Orchestrator episodes in the worker: what the worker has cached of each execution (history and
 * recorded actions), so that an episode sends only what was committed since; a cache miss sends it all.
 * A worker crash interrupts an episode; it is tried again a few times before the instance fails.
 */
import type { HistoryEvent, OrchestratorResult } from '../../protocol/durable';
import type { NeedHistory } from '../../protocol/worker';
import type { ProcessedAction } from '../engine/engineState';
import type { EpisodeStart } from '../engine/episode';
import type { InstanceRow, Store } from '../storage/store';
import { storesNothingYet } from './instanceRow';
import { FunctionError, WorkerFailure, WorkerProcess } from './workerProcess';

/** What the worker has cached of an instance's history, so an episode sends only the new part. */
interface WorkerView {
  executionId: string;
  length: number;
  /** Events committed after what the worker saw. */
  tail: HistoryEvent[];
  /** How many of the execution's recorded actions the worker has. */
  recorded: number;
}

/** Times a worker crash may interrupt one instance's episode before the instance is failed. */
const MAX_EPISODE_CRASHES = 3;

export class WorkerEpisodes {
  private readonly views = new Map<string, WorkerView>();
  private readonly crashes = new Map<string, number>();

  constructor(
    private readonly worker: WorkerProcess,
    private readonly store: Store,
  ) {}

  /** The length of the instance's current history. */
  historyLength(instance: InstanceRow): number {
    const view = this.validView(instance);
    if (view) return view.length + view.tail.length;
    return storesNothingYet(instance) ? 0 : this.store.historyLength(instance.instanceId, instance.executionId);
  }

  /** Runs the orchestrator; null when the turn must be tried again later (worker unavailable or restarting). */
  async run(instance: InstanceRow, start: EpisodeStart, stored: number): Promise<OrchestratorResult | null> {
    const recorded = start.state.actions;
    const view = this.validView(instance);
    const fn = this.worker.functions.find((f) => f.name.toLowerCase() === instance.name.toLowerCase());
    if (this.worker.state === 'ready' && (!fn || fn.kind !== 'orchestrator')) {
      return errorResult(`The function '${instance.name}' doesn't exist, is disabled, or is not an orchestrator function.`);
    }
    try {
      const episode = {
        kind: 'orchestrator' as const,
        functionName: fn?.name ?? instance.name,
        instanceId: instance.instanceId,
        executionId: instance.executionId,
        parentInstanceId: instance.parentInstanceId,
      };
      const base = view ? view.recorded : 0;
      let value = await this.worker.invoke({
        ...episode,
        historyBase: view ? view.length : stored,
        history: view ? [...view.tail, ...start.newEvents] : start.newEvents,
        recordedBase: base,
        recorded: sigs(recorded, base),
      });
      if ((value as NeedHistory).needHistory) {
        // The worker lost its copy (a restart): the whole history and every recorded action again.
        value = await this.worker.invoke({
          ...episode,
          historyBase: 0,
          history: [...this.store.getHistory(instance.instanceId, instance.executionId), ...start.newEvents],
          recordedBase: 0,
          recorded: sigs(recorded, 0),
        });
      }
      this.crashes.delete(instance.instanceId);
      this.views.set(instance.instanceId, { executionId: instance.executionId, length: stored + start.newEvents.length, tail: [], recorded: recorded.length });
      return value as OrchestratorResult;
    } catch (error) {
      this.views.delete(instance.instanceId);
      if (error instanceof WorkerFailure && error.retryable) {
        const crashes = (this.crashes.get(instance.instanceId) ?? 0) + (error.reason === 'crash' ? 1 : 0);
        this.crashes.set(instance.instanceId, crashes);
        if (crashes < MAX_EPISODE_CRASHES) return null;
      }
      this.crashes.delete(instance.instanceId);
      const message = error instanceof Error ? error.message : String(error);
      return errorResult(message, error instanceof FunctionError ? error.stack : undefined);
    }
  }

  /** Events committed by a turn; the first `seenByWorker` were sent with its episode. */
  committed(instanceId: string, events: HistoryEvent[], seenByWorker: number): void {
    const tail = this.views.get(instanceId)?.tail;
    // One by one: an append of thousands of events spread into push() could overflow the stack.
    for (let i = seenByWorker; tail && i < events.length; i++) tail.push(events[i]);
  }

  /** The execution ended or its history was rewritten: the worker drops its cache too. */
  forget(instanceId: string): void {
    this.views.delete(instanceId);
    this.worker.forget(instanceId);
  }

  /** A new worker process caches nothing. */
  clear(): void {
    this.views.clear();
  }

  private validView(instance: InstanceRow): WorkerView | undefined {
    const view = this.views.get(instance.instanceId);
    return view && view.executionId === instance.executionId ? view : undefined;
  }
}

/** Descriptions of the recorded actions from `from` on, for the worker's check. */
function sigs(actions: ProcessedAction[], from: number): string[] {
  const out: string[] = [];
  for (let i = from; i < actions.length; i++) out.push(actions[i].sig);
  return out;
}

function errorResult(message: string, stack?: string): OrchestratorResult {
  return { isDone: false, actions: [], error: { message, stack } };
}
