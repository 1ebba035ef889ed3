/**
 * Rewind of a Failed instance, as Durable Functions does it: the failures that reached the orchestrator
 * are taken out of its history, the failed work runs again and failed sub-orchestrations are rewound
 * too; then the orchestrator replays as if those tasks were still running.
 *
 * A retried task's last attempt is rewound (its failure, and the retry timer that failure took a
 * sequence id for, leave the history); earlier attempts stay as they were.
 */
import { EventType, HistoryEvent } from '../../protocol/durable';
import type { InstanceRow } from '../storage/store';
import { EngineState, PendingTask } from './engineState';
import * as ev from './events';
import { TurnOutcome, emptyOutcome } from './outcome';

export interface RewindOutcome {
  outcome: TurnOutcome;
  /** The execution's whole new history. */
  history: HistoryEvent[];
  /** Failed child instances to rewind as well. */
  rewindChildren: string[];
}

const FAILURES = new Set([EventType.TaskFailed, EventType.SubOrchestrationInstanceFailed]);

export function planRewind(
  instance: InstanceRow,
  history: HistoryEvent[],
  prior: EngineState,
  consumed: number[],
  reason: string | null,
  now: number,
): RewindOutcome {
  const state: EngineState = { ...prior, pending: { ...prior.pending }, failed: {} };
  const outcome = emptyOutcome(
    { ...instance, runtimeStatus: 'Running', output: null, failureDetails: null, completedTime: null, lastUpdatedTime: now },
    consumed,
  );
  const dropFailureOf = new Set<number>();
  const dropTimer = new Set<number>();
  const rewindChildren: string[] = [];

  for (const [key, task] of Object.entries(prior.failed)) {
    if (!task) continue;
    let id = Number(key);
    let again: PendingTask = task;
    if (task.kind === 'retryTimer' && task.failedAttemptId !== undefined) {
      dropTimer.add(id);
      state.nextSeq -= 1;
      id = task.failedAttemptId;
      again = { ...task, kind: task.retries!, retry: { ...task.retry!, final: false } };
      delete again.retries;
      delete again.failedAttemptId;
    }
    dropFailureOf.add(id);
    state.pending[id] = again;
    if (again.kind === 'subOrchestration') rewindChildren.push(again.childInstanceId!);
    else outcome.work.push({ kind: again.kind === 'http' ? 'http' : 'activity', taskId: id, name: again.name!, input: again.input ?? null });
  }

  const kept = history.filter((e) => {
    if (FAILURES.has(e.EventType)) return !dropFailureOf.has(e.TaskScheduledId!);
    if (e.EventType === EventType.TimerCreated) return !dropTimer.has(e.EventId);
    if (e.EventType === EventType.TimerFired) return !dropTimer.has(e.TimerId!);
    return e.EventType !== EventType.ExecutionCompleted;
  });
  kept.push(ev.executionRewound(now, reason));
  outcome.instance.engineState = JSON.stringify(state);
  return { outcome, history: kept, rewindChildren };
}
