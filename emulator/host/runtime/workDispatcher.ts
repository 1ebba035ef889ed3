/**
 * Runs queued activities and callHttp requests, at most N at once (host.json
 * maxConcurrentActivityFunctions), and hands each result to its instance. A work item stays in
 * storage until the turn that consumes its completion commits, so work in flight when the host
 * dies runs again after restart (at-least-once).
 */
import type { HistoryEvent } from '../../protocol/durable';
import type { ActivityOutcome } from '../../protocol/worker';
import * as ev from '../engine/events';
import type { Store, WorkItemRow } from '../storage/store';
import type { Clock } from './clock';
import { runHttpActivity } from './httpActivity';
import { Semaphore } from './semaphore';
import { FunctionError, WorkerFailure, WorkerProcess } from './workerProcess';

export interface DispatcherOptions {
  store: Store;
  worker: WorkerProcess;
  clock: Clock;
  maxConcurrent: number;
  httpPollDefaultMs: number;
  httpMaxPollMs: number;
  /** Hands over a completion; it becomes durable with the turn that consumes it. */
  onCompleted: (item: WorkItemRow, event: HistoryEvent) => void;
}

const MAX_CRASH_RUNS = 3;

export class WorkDispatcher {
  private readonly slots: Semaphore;
  private readonly live = new Map<number, WorkItemRow>();
  private readonly byInstance = new Map<string, Set<number>>();
  /** Work that found the worker unavailable (app failed to load); sent again when it is ready. */
  private held: WorkItemRow[] = [];
  /** Work items caught in a worker crash, and how often; each runs again, up to MAX_CRASH_RUNS. */
  private readonly crashes = new Map<number, number>();

  constructor(private readonly options: DispatcherOptions) {
    this.slots = new Semaphore(options.maxConcurrent);
  }

  get inFlight(): number {
    return this.live.size;
  }

  /** Work of the instance submitted and not completed yet. */
  inFlightFor(instanceId: string): number {
    return this.byInstance.get(instanceId)?.size ?? 0;
  }

  submit(item: WorkItemRow): void {
    this.live.set(item.id, item);
    let set = this.byInstance.get(item.instanceId);
    if (!set) this.byInstance.set(item.instanceId, (set = new Set()));
    set.add(item.id);
    void this.slots.run(() => this.run(item));
  }

  /** Forgets an instance's work: results that still arrive are dropped. */
  cancelInstance(instanceId: string): void {
    for (const id of this.byInstance.get(instanceId) ?? []) this.live.delete(id);
    this.byInstance.delete(instanceId);
    this.held = this.held.filter((item) => item.instanceId !== instanceId);
  }

  /** The worker is back: send the work that was waiting for it. */
  resubmitHeld(): void {
    const held = this.held;
    this.held = [];
    for (const item of held) if (this.live.has(item.id)) void this.slots.run(() => this.run(item));
  }

  private async run(item: WorkItemRow): Promise<void> {
    if (!this.live.has(item.id)) return;
    const { clock } = this.options;
    const startedTime = new Date(clock.now()).toISOString();
    let event: HistoryEvent;
    try {
      if (item.kind === 'http') {
        const response = await runHttpActivity(item.input, {
          clock,
          defaultPollMs: this.options.httpPollDefaultMs,
          maxPollMs: this.options.httpMaxPollMs,
        });
        event = ev.taskCompleted(clock.now(), item.taskId, JSON.stringify(response));
      } else {
        event = await this.runActivity(item);
      }
    } catch (error) {
      if (error instanceof WorkerFailure && error.reason === 'unavailable') {
        this.held.push(item);
        return;
      }
      // Like a queue message whose lease ran out, work caught in a crash runs again — a few times,
      // since the crash may be its own doing.
      if (error instanceof WorkerFailure && error.reason === 'crash') {
        const crashes = (this.crashes.get(item.id) ?? 0) + 1;
        this.crashes.set(item.id, crashes);
        if (crashes < MAX_CRASH_RUNS) {
          this.held.push(item);
          return;
        }
      }
      event = ev.taskFailed(clock.now(), item.taskId, failureOf(error));
    }
    this.complete(item, { ...event, StartedTime: startedTime });
  }

  private async runActivity(item: WorkItemRow): Promise<HistoryEvent> {
    const { worker, clock } = this.options;
    const fn = worker.functions.find((f) => f.kind === 'activity' && f.name.toLowerCase() === item.name.toLowerCase());
    if (worker.state === 'ready' && !fn) {
      return ev.taskFailed(
        clock.now(),
        item.taskId,
        ev.failure(`The activity function '${item.name}' doesn't exist, is disabled, or is not an activity function.`, 'FunctionFailedException'),
      );
    }
    const value = (await worker.invoke({
      kind: 'activity',
      functionName: fn?.name ?? item.name,
      instanceId: item.instanceId,
      taskId: item.taskId,
      input: item.input,
    })) as ActivityOutcome;
    return ev.taskCompleted(clock.now(), item.taskId, value.result ?? 'null');
  }

  private complete(item: WorkItemRow, event: HistoryEvent): void {
    this.crashes.delete(item.id);
    if (!this.live.delete(item.id)) return;
    this.byInstance.get(item.instanceId)?.delete(item.id);
    this.options.onCompleted(item, event);
  }
}

/** FailureDetails for a failed activity, as the library's TaskFailedError expects them. */
export function failureOf(error: unknown): NonNullable<HistoryEvent['FailureDetails']> {
  if (error instanceof FunctionError) {
    const provided = error.detail.failureDetails as Record<string, unknown> | undefined;
    if (provided && typeof provided === 'object') {
      return {
        ErrorType: String(provided.errorType ?? error.name),
        ErrorMessage: String(provided.errorMessage ?? error.message),
        StackTrace: provided.stackTrace === undefined ? error.stack : String(provided.stackTrace),
        IsNonRetriable: Boolean(provided.isNonRetriable),
        Properties: (provided.properties as Record<string, unknown>) ?? undefined,
      };
    }
    return ev.failure(error.message, error.name, error.stack);
  }
  if (error instanceof Error) return ev.failure(error.message, error.name, error.stack);
  return ev.failure(String(error));
}
