/**
 * The engine's bookkeeping for one execution. Each turn changes it by a delta (`EngineDelta`) that is
 * stored with the history the turn appends; the instance row holds the state the execution started
 * from (or was rewound to). So a turn stores what it changed, not the whole state (a fan-out of 10,000
 * re-serialised ~1 MB per episode), and the state is rebuilt from the row and the history's deltas
 * (`rebuildEngineState`) when the host does not have it in memory.
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

/** Tasks by sequence id; null (only in a turn's working copy and its delta) marks one settled by the turn. */
export type TaskMap = Record<string, PendingTask | null>;

export interface EngineState {
  /** Set from ExecutionStarted for sub-orchestrations: where to report completion. */
  parent?: ParentLink;
  /** Sequence ids the library has taken so far in this execution. */
  nextSeq: number;
  actions: ProcessedAction[];
  pending: TaskMap;
  /** Tasks whose failure reached the orchestrator, by the id of the event that delivered it (for rewind). */
  failed: TaskMap;
}

/** What one turn changed: new actions are appended, tasks set or (null) removed. */
export interface EngineDelta {
  nextSeq: number;
  parent?: ParentLink;
  actions: ProcessedAction[];
  pending: TaskMap;
  failed: TaskMap;
}

export const initialEngineState = (): EngineState => ({ nextSeq: 0, actions: [], pending: {}, failed: {} });

export function parseEngineState(text: string | null | undefined): EngineState {
  return text ? (JSON.parse(text) as EngineState) : initialEngineState();
}

/**
 * A turn's working copy of `prior`, in O(1): its task maps read through to prior's and keep the turn's
 * own changes, so that prior is untouched until the turn commits (`deltaOf`, `applyDelta`).
 */
export function workingCopy(prior: EngineState): EngineState {
  return {
    parent: prior.parent,
    nextSeq: prior.nextSeq,
    actions: prior.actions,
    pending: Object.create(prior.pending) as TaskMap,
    failed: Object.create(prior.failed) as TaskMap,
  };
}

/** The changes of a working copy, `newActions` being the actions it processed for the first time. */
export function deltaOf(working: EngineState, newActions: ProcessedAction[]): EngineDelta {
  const delta: EngineDelta = { nextSeq: working.nextSeq, actions: newActions, pending: { ...working.pending }, failed: { ...working.failed } };
  if (working.parent) delta.parent = working.parent;
  return delta;
}

/** Applies a turn's delta to the state, in place, in O(size of the delta). */
export function applyDelta(state: EngineState, delta: EngineDelta): void {
  state.nextSeq = delta.nextSeq;
  if (delta.parent) state.parent = delta.parent;
  for (const action of delta.actions) state.actions.push(action);
  for (const [id, task] of Object.entries(delta.pending)) {
    if (task) state.pending[id] = task;
    else delete state.pending[id];
  }
  for (const [id, task] of Object.entries(delta.failed)) {
    if (task) state.failed[id] = task;
    else delete state.failed[id];
  }
}

/** The state from the one an execution started from (the instance row's) and the deltas stored with its history. */
export function rebuildEngineState(base: string | null | undefined, deltas: EngineDelta[]): EngineState {
  const state = parseEngineState(base);
  for (const delta of deltas) applyDelta(state, delta);
  return state;
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
