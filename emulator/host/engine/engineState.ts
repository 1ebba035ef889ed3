/**
 * The engine's bookkeeping for one execution, stored beside the instance so each episode starts from
 * it instead of re-deriving it from the whole history.
 */
import { ActionType, OrchestratorAction, RetryOptions } from '../../protocol/durable';

export interface RetryState {
  options: RetryOptions;
  /** 1-based number of the attempt this task id belongs to. */
  attempt: number;
  firstAttemptAt: number;
  /** retryTimer only: the timer after the last failed attempt; its firing fails the task. */
  final?: boolean;
}

export type PendingKind = 'activity' | 'http' | 'subOrchestration' | 'timer' | 'retryTimer';

/** Work the orchestrator is waiting on, keyed by the sequence id the library gave it. */
export interface PendingTask {
  kind: PendingKind;
  name?: string;
  /** JSON text of the input (activities, sub-orchestrations) or of the HttpRequestSpec. */
  input?: string | null;
  childInstanceId?: string;
  /** Whether the sub-orchestration's instance id came from the orchestrator (kept across retries). */
  explicitChildId?: boolean;
  retry?: RetryState;
  /** retryTimer only: the kind of task it retries. */
  retries?: 'activity' | 'subOrchestration';
  /** retryTimer only: the id of the failed attempt whose failure took this timer's id. */
  failedAttemptId?: number;
}

export interface ProcessedAction {
  /** Type and name; a replay yielding a different signature at this index is non-deterministic. */
  sig: string;
  /** Sequence id taken, or -1 for actions that take none. */
  id: number;
}

export interface ParentLink {
  name: string;
  instanceId: string;
  executionId: string;
  taskScheduledId: number;
}

export interface EngineState {
  /** Set from ExecutionStarted for sub-orchestrations: where to report completion. */
  parent?: ParentLink;
  /** Sequence ids the library has taken so far in this execution. */
  nextSeq: number;
  actions: ProcessedAction[];
  pending: Record<string, PendingTask>;
  /** Tasks whose failure reached the orchestrator, by the id of the event that delivered it (for rewind). */
  failed: Record<string, PendingTask>;
}

export const initialEngineState = (): EngineState => ({ nextSeq: 0, actions: [], pending: {}, failed: {} });

export function parseEngineState(text: string | null | undefined): EngineState {
  return text ? (JSON.parse(text) as EngineState) : initialEngineState();
}

export function describeAction(action: OrchestratorAction): string {
  const type = ActionType[action.actionType] ?? `Action${action.actionType}`;
  const name = action.functionName ?? action.externalEventName ?? action.instanceId ?? action.httpRequest?.uri ?? '';
  return name ? `${type}:${name}` : type;
}

/** How many sequence ids the library takes when it schedules this action (reference §3). */
export function idsTakenBy(action: OrchestratorAction): number {
  switch (action.actionType) {
    case ActionType.WaitForExternalEvent:
    case ActionType.ContinueAsNew:
    case ActionType.WhenAll:
    case ActionType.WhenAny:
      return 0;
    default:
      return 1;
  }
}

/** Names of the external events the orchestrator waits for and has not received yet. */
export function waitingEventNames(state: EngineState, raisedNames: string[]): string[] {
  const received = new Map<string, number>();
  for (const name of raisedNames) received.set(name, (received.get(name) ?? 0) + 1);
  const waiting: string[] = [];
  for (const action of state.actions) {
    const prefix = `${ActionType[ActionType.WaitForExternalEvent]}:`;
    if (!action.sig.startsWith(prefix)) continue;
    const name = action.sig.slice(prefix.length);
    const left = received.get(name) ?? 0;
    if (left > 0) received.set(name, left - 1);
    else if (!waiting.includes(name)) waiting.push(name);
  }
  return waiting;
}
