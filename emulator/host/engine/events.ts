/** Constructors for the history events the host writes, in the shape the library replays. */
import type { ParentLink } from './engineState';
import { EventType, FailureDetails, HistoryEvent, OrchestrationInstanceRef } from '../../protocol/durable';

/** The last timestamp formatted: an episode stamps thousands of events with the same time. */
let stamp = { now: NaN, text: '' };

function timestamp(now: number): string {
  if (stamp.now !== now) stamp = { now, text: new Date(now).toISOString() };
  return stamp.text;
}

function base(type: EventType, now: number, eventId = -1): HistoryEvent {
  return { EventType: type, EventId: eventId, Timestamp: timestamp(now), IsPlayed: false };
}


export function executionStarted(
  now: number,
  name: string,
  input: string | null,
  instance: OrchestrationInstanceRef,
  parent: ParentLink | null,
  version = '',
): HistoryEvent {
  return {
    ...base(EventType.ExecutionStarted, now),
    Name: name,
    Version: version,
    Input: input,
    OrchestrationInstance: instance,
    ParentInstance: parent
      ? {
          Name: parent.name,
          OrchestrationInstance: { InstanceId: parent.instanceId, ExecutionId: parent.executionId },
          TaskScheduleId: parent.taskScheduledId,
        }
      : null,
  };
}

export const orchestratorStarted = (now: number) => base(EventType.OrchestratorStarted, now);
export const orchestratorCompleted = (now: number) => base(EventType.OrchestratorCompleted, now);

export function taskScheduled(now: number, id: number, name: string, input: string | null): HistoryEvent {
  return { ...base(EventType.TaskScheduled, now, id), Name: name, Input: input };
}

export function taskCompleted(now: number, taskId: number, result: string): HistoryEvent {
  return { ...base(EventType.TaskCompleted, now), TaskScheduledId: taskId, Result: result };
}

/** A task's failure, in the fields the library reads (FailureDetails) and the older ones (Reason, Details). */
function failed(type: EventType, now: number, taskId: number, failure: FailureDetails): HistoryEvent {
  return { ...base(type, now), TaskScheduledId: taskId, Reason: failure.ErrorMessage, Details: failure.StackTrace ?? '', FailureDetails: failure };
}

export const taskFailed = (now: number, taskId: number, failure: FailureDetails) => failed(EventType.TaskFailed, now, taskId, failure);

export function timerCreated(now: number, id: number, fireAt: number): HistoryEvent {
  return { ...base(EventType.TimerCreated, now, id), FireAt: new Date(fireAt).toISOString() };
}

export function timerFired(now: number, timerId: number, fireAt: number): HistoryEvent {
  return { ...base(EventType.TimerFired, now), TimerId: timerId, FireAt: new Date(fireAt).toISOString() };
}

export function subOrchestrationCreated(
  now: number,
  id: number,
  name: string,
  instanceId: string,
  input: string | null,
): HistoryEvent {
  return { ...base(EventType.SubOrchestrationInstanceCreated, now, id), Name: name, InstanceId: instanceId, Input: input };
}

export function subOrchestrationCompleted(now: number, taskId: number, result: string): HistoryEvent {
  return { ...base(EventType.SubOrchestrationInstanceCompleted, now), TaskScheduledId: taskId, Result: result };
}

export const subOrchestrationFailed = (now: number, taskId: number, failure: FailureDetails) =>
  failed(EventType.SubOrchestrationInstanceFailed, now, taskId, failure);

export function eventRaised(now: number, name: string, input: string | null): HistoryEvent {
  return { ...base(EventType.EventRaised, now), Name: name, Input: input };
}

export function executionCompleted(
  now: number,
  status: 'Completed' | 'Failed',
  result: string | null,
  failure?: FailureDetails,
): HistoryEvent {
  const event: HistoryEvent = { ...base(EventType.ExecutionCompleted, now), OrchestrationStatus: status, Result: result };
  if (failure) event.FailureDetails = failure;
  return event;
}

export const executionTerminated = (now: number, reason: string | null) => ({
  ...base(EventType.ExecutionTerminated, now),
  Input: reason,
});
export const executionSuspended = (now: number, reason: string | null) => ({
  ...base(EventType.ExecutionSuspended, now),
  Reason: reason ?? '',
});
export const executionResumed = (now: number, reason: string | null) => ({
  ...base(EventType.ExecutionResumed, now),
  Reason: reason ?? '',
});
export const executionRewound = (now: number, reason: string | null) => ({
  ...base(EventType.ExecutionRewound, now),
  Reason: reason ?? '',
});
export const continuedAsNew = (now: number, input: string | null) => ({ ...base(EventType.ContinueAsNew, now), Result: input });

/** FailureDetails for an error reported by the worker or raised by the host itself. */
export function failure(message: string, errorType = 'Error', stack?: string): FailureDetails {
  return { ErrorType: errorType, ErrorMessage: message, StackTrace: stack, IsNonRetriable: false };
}
