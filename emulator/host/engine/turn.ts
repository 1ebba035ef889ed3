/**
 * Decides what an instance's turn is, given its queued messages: drop them (finished instance),
 * handle control messages without running code (terminate, suspend, resume), rewind, or run an episode.
 */
import { EventType, HistoryEvent, isTerminal } from '../../protocol/durable';
import type { InstanceRow, MessageRow } from '../storage/store';
import type { EngineState } from './engineState';
import * as ev from './events';
import { notifyParent } from './episode';
import { TurnOutcome, emptyOutcome } from './outcome';

export type TurnPlan =
  | { kind: 'idle' }
  | { kind: 'outcome'; outcome: TurnOutcome }
  | { kind: 'rewind'; consumed: number[]; reason: string | null }
  | { kind: 'episode'; messages: MessageRow[]; markers: HistoryEvent[]; consumed: number[]; status: InstanceRow['runtimeStatus'] };

const CONTROL = new Set([
  EventType.ExecutionTerminated,
  EventType.ExecutionSuspended,
  EventType.ExecutionResumed,
  EventType.ExecutionRewound,
]);

export const isControl = (event: HistoryEvent) => CONTROL.has(event.EventType);

export function planTurn(instance: InstanceRow, state: EngineState, messages: MessageRow[], now: number): TurnPlan {
  if (messages.length === 0) return { kind: 'idle' };
  const ids = messages.map((m) => m.id);

  if (isTerminal(instance.runtimeStatus)) {
    const rewind = messages.find((m) => m.event.EventType === EventType.ExecutionRewound);
    if (rewind && instance.runtimeStatus === 'Failed') return { kind: 'rewind', consumed: ids, reason: rewind.event.Reason ?? null };
    return { kind: 'outcome', outcome: emptyOutcome(instance, ids) };
  }

  const terminate = messages.find((m) => m.event.EventType === EventType.ExecutionTerminated);
  if (terminate) return { kind: 'outcome', outcome: terminateOutcome(instance, state, ids, terminate.event.Input ?? null, now) };

  // Suspend and resume apply in arrival order; while suspended, other messages wait in the queue.
  let status = instance.runtimeStatus;
  const markers: HistoryEvent[] = [];
  const consumed: number[] = [];
  for (const m of messages) {
    if (m.event.EventType === EventType.ExecutionSuspended && status !== 'Suspended') {
      status = 'Suspended';
      markers.push(ev.executionSuspended(now, m.event.Reason ?? null));
    } else if (m.event.EventType === EventType.ExecutionResumed && status === 'Suspended') {
      status = 'Running';
      markers.push(ev.executionResumed(now, m.event.Reason ?? null));
    } else if (!isControl(m.event)) {
      continue;
    }
    consumed.push(m.id);
  }
  const work = messages.filter((m) => !isControl(m.event));
  if (status === 'Suspended' || work.length === 0) {
    if (consumed.length === 0) return { kind: 'idle' };
    const outcome = emptyOutcome({ ...instance, runtimeStatus: status, lastUpdatedTime: now }, consumed);
    outcome.append.push(...markers);
    return { kind: 'outcome', outcome };
  }
  return { kind: 'episode', messages: work, markers, consumed, status };
}

function terminateOutcome(instance: InstanceRow, state: EngineState, consumed: number[], reason: string | null, now: number): TurnOutcome {
  const output = reason ?? 'null';
  const outcome = emptyOutcome(
    { ...instance, runtimeStatus: 'Terminated', output, lastUpdatedTime: now, completedTime: now },
    consumed,
  );
  outcome.append.push(ev.executionTerminated(now, reason));
  outcome.clearOutstanding = true;
  let text: string;
  try {
    text = String(JSON.parse(output) ?? '');
  } catch {
    text = output;
  }
  const why = `Sub-orchestration ${instance.instanceId} (${instance.name}) was terminated${text ? `: ${text}` : ''}.`;
  notifyParent(outcome, state, (taskId) => ev.subOrchestrationFailed(now, taskId, ev.failure(why, 'TerminatedException')));
  return outcome;
}
