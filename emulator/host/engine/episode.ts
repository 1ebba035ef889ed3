/**
 * One orchestrator episode, the Durable Task Framework way: history in, actions out.
 * `startEpisode` orders the instance's new messages and settles the ones the host handles itself
 * (retries); the worker then replays the orchestrator over history + new events; `finishEpisode`
 * turns the actions it returned into new history and work. Pure: no I/O, time passed in.
 */
import { ActionType, EventType, HistoryEvent, OrchestratorAction, OrchestratorResult } from '../../protocol/durable';
import type { InstanceRow, MessageRow, TimerRow } from '../storage/store';
import { describeAction, describes } from '../../protocol/actions';
import { EngineState, PendingTask, ProcessedAction, deltaOf, idsTakenBy, workingCopy } from './engineState';
import * as ev from './events';
import { episodeLimitFailure } from './limits';
import { TurnOutcome, WorkRequest, emptyOutcome } from './outcome';
import { nextRetryDelay, retryTimedOut } from './retry';

export const HTTP_ACTIVITY_NAME = 'BuiltIn::HttpActivity';

export interface EpisodeStart {
  /** Appended to history before the worker replays it: OrchestratorStarted first. */
  newEvents: HistoryEvent[];
  consumed: number[];
  /** State after the host-handled events, before the orchestrator's new actions. */
  state: EngineState;
  /** Scheduled by the host itself (retry timers, next attempts); appended after the episode. */
  scheduled: HistoryEvent[];
  work: WorkRequest[];
  timers: TimerRow[];
  children: TurnOutcome['children'];
}

/** JSON text of an activity or continue-as-new input: the library already JSON-encodes strings once. */
export function encodedInput(input: unknown): string | null {
  if (input === undefined) return null;
  return typeof input === 'string' ? input : JSON.stringify(input);
}

const rawInput = (input: unknown): string | null => (input === undefined ? null : JSON.stringify(input));

/**
 * Orders the messages so that the events the library takes sequence ids for during replay (a retried
 * task's failure, its retry timer) come before any event that resumes user code: then the ids the
 * host assigns match the library's (reference §3).
 */
export function startEpisode(instance: InstanceRow, prior: EngineState, messages: MessageRow[], now: number): EpisodeStart {
  const state = workingCopy(prior);
  const start: EpisodeStart = {
    newEvents: [ev.orchestratorStarted(now)],
    consumed: [],
    state,
    scheduled: [],
    work: [],
    timers: [],
    children: [],
  };
  const first: HistoryEvent[] = [];
  const idTaking: HistoryEvent[] = [];
  const rest: HistoryEvent[] = [];
  const takeId = () => state.nextSeq++;

  for (const message of messages) {
    start.consumed.push(message.id);
    const event = message.event;
    switch (event.EventType) {
      case EventType.ExecutionStarted: {
        const parent = event.ParentInstance;
        if (parent) {
          state.parent = {
            name: parent.Name,
            instanceId: parent.OrchestrationInstance.InstanceId,
            executionId: parent.OrchestrationInstance.ExecutionId,
            taskScheduledId: parent.TaskScheduleId,
          };
        }
        first.push(event);
        break;
      }
      case EventType.TaskCompleted:
      case EventType.SubOrchestrationInstanceCompleted:
        if (settle(state, event.TaskScheduledId)) rest.push(event);
        break;
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceFailed: {
        const task = settle(state, event.TaskScheduledId);
        if (!task) break;
        if (!task.retry) {
          state.failed[event.TaskScheduledId!] = task;
          rest.push(event);
          break;
        }
        idTaking.push(event);
        let attempt = task.retry;
        let failedId = event.TaskScheduledId!;
        // Past the retry timeout the library still waits for its remaining attempts (it only counts
        // them): fail each at once, with the last real error, so the task fails now instead of never.
        while (attempt.attempt < attempt.options.maxNumberOfAttempts && retryTimedOut(attempt.options, attempt.firstAttemptAt, now)) {
          const timerId = takeId();
          idTaking.push(ev.timerCreated(now, timerId, now), ev.timerFired(now, timerId, now));
          failedId = takeId();
          idTaking.push({ ...event, TaskScheduledId: failedId, Timestamp: new Date(now).toISOString() });
          attempt = { ...attempt, attempt: attempt.attempt + 1 };
        }
        const delay = nextRetryDelay(attempt.options, attempt.attempt, attempt.firstAttemptAt, now);
        const timerId = takeId();
        const fireAt = now + (delay ?? 0);
        state.pending[timerId] = {
          ...task,
          kind: 'retryTimer',
          retries: task.kind === 'subOrchestration' ? 'subOrchestration' : 'activity',
          retry: { ...attempt, final: delay === null },
          failedAttemptId: failedId,
        };
        start.scheduled.push(ev.timerCreated(now, timerId, fireAt));
        start.timers.push(timerRow(instance, timerId, fireAt));
        break;
      }
      case EventType.TimerFired: {
        const task = settle(state, event.TimerId);
        if (!task) break;
        if (task.kind !== 'retryTimer' || !task.retry || task.retry.final) {
          if (task.kind === 'retryTimer') state.failed[event.TimerId!] = task;
          rest.push(event);
          break;
        }
        const attemptId = takeId();
        const retry = { ...task.retry, attempt: task.retry.attempt + 1 };
        scheduleAttempt(instance, start, attemptId, { ...task, kind: task.retries!, retry }, now);
        idTaking.push(event);
        break;
      }
      case EventType.EventRaised:
        rest.push(event);
        break;
      default:
        // Suspend/resume markers and the like: kept in history, ignored by replay.
        rest.push(event);
    }
  }
  start.newEvents.push(...first, ...idTaking, ...rest);
  return start;
}

function settle(state: EngineState, id: number | undefined): PendingTask | undefined {
  if (id === undefined) return undefined;
  const task = state.pending[id];
  if (task) state.pending[id] = null;
  return task ?? undefined;
}

function timerRow(instance: InstanceRow, timerId: number, fireAt: number): TimerRow {
  return { instanceId: instance.instanceId, executionId: instance.executionId, timerId, fireAt };
}

function scheduleAttempt(instance: InstanceRow, start: EpisodeStart, id: number, task: PendingTask, now: number): void {
  start.state.pending[id] = task;
  if (task.kind === 'subOrchestration') {
    const childId = task.explicitChildId ? task.childInstanceId! : `${instance.instanceId}:${id}`;
    task.childInstanceId = childId;
    start.scheduled.push(ev.subOrchestrationCreated(now, id, task.name!, childId, task.input ?? null));
    start.children.push({
      instanceId: childId,
      name: task.name!,
      input: task.input ?? null,
      version: '',
      parent: { name: instance.name, instanceId: instance.instanceId, executionId: instance.executionId, taskScheduledId: id },
    });
    return;
  }
  const kind = task.kind === 'http' ? 'http' : 'activity';
  start.scheduled.push(ev.taskScheduled(now, id, task.name!, task.input ?? null));
  start.work.push({ kind, taskId: id, name: task.name!, input: task.input ?? null });
}

export class NonDeterminismError extends Error {
  constructor(index: number, recorded: string, replayed: string) {
    super(
      `Non-deterministic workflow detected: the orchestrator's action #${index} was ${recorded} when it first ran, ` +
        `but replay produced ${replayed}. Orchestrator code must be deterministic.`,
    );
    this.name = 'NonDeterministicOrchestrationException';
  }
}

function nonDeterminism(index: number, recorded: string, replayed: string): ReturnType<typeof ev.failure> {
  const error = new NonDeterminismError(index, recorded, replayed);
  return ev.failure(error.message, error.name);
}

/** Turns the worker's result into the turn's outcome. */
export function finishEpisode(instance: InstanceRow, start: EpisodeStart, result: OrchestratorResult, now: number): TurnOutcome {
  const state = start.state;
  const outcome = emptyOutcome(instance, start.consumed);
  outcome.append.push(...start.newEvents, ...start.scheduled);
  const processed = state.actions.length;
  // The worker checks the actions it was told were recorded and returns the actions from `from` on.
  const from = result.actionsFrom ?? 0;
  const actions = result.actions;
  const replayed = from + actions.length;
  const cancel = (i: number) => {
    const id = state.actions[i].id;
    if (state.pending[id]?.kind === 'timer') {
      state.pending[id] = null;
      outcome.cancelTimers.push(id);
    }
  };

  let failure = result.error ? failureOfResult(result.error) : undefined;
  if (!failure && result.mismatch) failure = nonDeterminism(result.mismatch.index, state.actions[result.mismatch.index].sig, result.mismatch.replayed);
  for (const i of failure ? [] : (result.canceledTimers ?? [])) cancel(i);
  // A worker that was sent no recorded actions returns them all (actionsFrom 0): those are compared here.
  for (let i = from; i < Math.min(processed, replayed) && !failure; i++) {
    const action = actions[i - from];
    if (!describes(state.actions[i].sig, action)) failure = nonDeterminism(i, state.actions[i].sig, describeAction(action));
    else if (action.actionType === ActionType.CreateTimer && action.isCanceled) cancel(i);
  }

  // The worker returns only the actions past those it knew of (`from`): the new ones start at processed - from.
  failure ??= episodeLimitFailure(actions, Math.max(processed - from, 0), replayed);
  let continueAsNew: { input: string | null } | undefined;
  const recorded: ProcessedAction[] = [];
  if (!failure) {
    outcome.work.push(...start.work);
    outcome.timers.push(...start.timers);
    outcome.children.push(...start.children);
    for (let i = processed; i < replayed && !failure; i++) {
      const action = actions[i - from];
      const id = idsTakenBy(action) > 0 ? state.nextSeq : -1;
      state.nextSeq += idsTakenBy(action);
      recorded.push({ sig: describeAction(action), id });
      if (action.actionType === ActionType.ContinueAsNew) continueAsNew = { input: encodedInput(action.input) };
      else failure = scheduleAction(instance, state, outcome, action, id, now);
    }
  }

  const row: InstanceRow = { ...instance, lastUpdatedTime: now };
  if (result.customStatus !== undefined) row.customStatus = JSON.stringify(result.customStatus);
  outcome.instance = row;

  if (failure) {
    failExecution(outcome, state, failure, now);
  } else if (continueAsNew) {
    outcome.append.push(ev.continuedAsNew(now, continueAsNew.input));
    outcome.continueAsNew = continueAsNew;
    outcome.clearOutstanding = true;
    dropNewWork(outcome);
    row.runtimeStatus = 'ContinuedAsNew';
  } else if (result.isDone) {
    const output = result.output === undefined ? null : JSON.stringify(result.output);
    outcome.append.push(ev.executionCompleted(now, 'Completed', output));
    row.runtimeStatus = 'Completed';
    row.output = output;
    row.completedTime = now;
    outcome.clearOutstanding = true;
    dropNewWork(outcome);
    notifyParent(outcome, state, (taskId) => ev.subOrchestrationCompleted(now, taskId, output ?? 'null'));
  } else {
    row.runtimeStatus = 'Running';
  }
  outcome.append.push(ev.orchestratorCompleted(now));
  outcome.engine = deltaOf(state, recorded);
  return outcome;
}

/** Appends the events and work of one new action; returns a failure for actions the host cannot run. */
function scheduleAction(
  instance: InstanceRow,
  state: EngineState,
  outcome: TurnOutcome,
  action: OrchestratorAction,
  id: number,
  now: number,
): ReturnType<typeof ev.failure> | undefined {
  // Absent rather than undefined: the state must look the same in memory and rebuilt from its JSON.
  const retry = action.retryOptions ? { retry: { options: action.retryOptions, attempt: 1, firstAttemptAt: now } } : {};
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry: {
      const input = encodedInput(action.input);
      state.pending[id] = { kind: 'activity', name: action.functionName, input, ...retry };
      outcome.append.push(ev.taskScheduled(now, id, action.functionName!, input));
      outcome.work.push({ kind: 'activity', taskId: id, name: action.functionName!, input });
      return undefined;
    }
    case ActionType.CallHttp: {
      const input = JSON.stringify(action.httpRequest ?? {});
      state.pending[id] = { kind: 'http', name: HTTP_ACTIVITY_NAME, input };
      outcome.append.push(ev.taskScheduled(now, id, HTTP_ACTIVITY_NAME, input));
      outcome.work.push({ kind: 'http', taskId: id, name: HTTP_ACTIVITY_NAME, input });
      return undefined;
    }
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry: {
      const childId = action.instanceId || `${instance.instanceId}:${id}`;
      const input = rawInput(action.input);
      state.pending[id] = {
        kind: 'subOrchestration',
        name: action.functionName,
        input,
        childInstanceId: childId,
        explicitChildId: !!action.instanceId,
        ...retry,
      };
      outcome.append.push(ev.subOrchestrationCreated(now, id, action.functionName!, childId, input));
      outcome.children.push({
        instanceId: childId,
        name: action.functionName!,
        input,
        version: '',
        parent: { name: instance.name, instanceId: instance.instanceId, executionId: instance.executionId, taskScheduledId: id },
      });
      return undefined;
    }
    case ActionType.CreateTimer: {
      const fireAt = Date.parse(action.fireAt!);
      if (action.isCanceled) return undefined;
      state.pending[id] = { kind: 'timer' };
      outcome.append.push(ev.timerCreated(now, id, fireAt));
      outcome.timers.push(timerRow(instance, id, fireAt));
      return undefined;
    }
    case ActionType.WaitForExternalEvent:
      return undefined;
    default:
      return ev.failure(
        `The orchestrator used ${describeAction(action)}: durable entities are not supported by this emulator yet.`,
        'NotSupportedException',
      );
  }
}

/** Ends the execution as Failed and reports it to the parent orchestration, if any. */
export function failExecution(outcome: TurnOutcome, state: EngineState, failure: ReturnType<typeof ev.failure>, now: number): void {
  const row = outcome.instance;
  outcome.append.push(ev.executionCompleted(now, 'Failed', JSON.stringify(failure.ErrorMessage), failure));
  row.runtimeStatus = 'Failed';
  row.output = JSON.stringify(failure.ErrorMessage);
  row.failureDetails = JSON.stringify(failure);
  row.completedTime = now;
  outcome.clearOutstanding = true;
  dropNewWork(outcome);
  notifyParent(outcome, state, (taskId) =>
    ev.subOrchestrationFailed(now, taskId, { ...failure, ErrorMessage: `Sub-orchestration ${row.instanceId} (${row.name}) failed: ${failure.ErrorMessage}` }),
  );
}

/** A sub-orchestration's end, reported to the parent execution that waits for it. */
export function notifyParent(outcome: TurnOutcome, state: EngineState, event: (taskScheduledId: number) => HistoryEvent): void {
  if (!state.parent) return;
  const { instanceId, executionId, taskScheduledId } = state.parent;
  outcome.notify.push({ instanceId, executionId, event: event(taskScheduledId) });
}

/** A finished execution starts nothing more: work scheduled in its last episode is dropped. */
function dropNewWork(outcome: TurnOutcome): void {
  outcome.work = [];
  outcome.timers = [];
  outcome.children = [];
}

/** The orchestrator's error, with the library's FailureDetails (error type, properties) when it gave them. */
function failureOfResult(error: NonNullable<OrchestratorResult['error']>): ReturnType<typeof ev.failure> {
  const details = error.failureDetails as Partial<ReturnType<typeof ev.failure>> | undefined;
  const base = ev.failure(error.message, details?.ErrorType || 'Error', error.stack ?? details?.StackTrace);
  return details && typeof details === 'object' ? { ...details, ...base, ErrorType: base.ErrorType } : base;
}
