/** The pure engine: turn planning, episodes, sequence ids, retries, rewind — no processes, no I/O. */
import * as assert from 'node:assert/strict';
import { ActionType, EventType, HistoryEvent, OrchestratorAction, OrchestratorResult } from '../../emulator/protocol/durable';
import { EngineState, initialEngineState, parseEngineState, rebuildEngineState, waitingEventNames } from '../../emulator/host/engine/engineState';
import { finishEpisode, startEpisode } from '../../emulator/host/engine/episode';
import * as ev from '../../emulator/host/engine/events';
import { planRewind } from '../../emulator/host/engine/rewind';
import { nextRetryDelay } from '../../emulator/host/engine/retry';
import { planTurn } from '../../emulator/host/engine/turn';
import type { InstanceRow, MessageRow } from '../../emulator/host/storage/store';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function row(state: EngineState = initialEngineState(), status: InstanceRow['runtimeStatus'] = 'Running'): InstanceRow {
  return {
    instanceId: 'i1',
    executionId: 'e1',
    name: 'Orch',
    version: '',
    runtimeStatus: status,
    input: null,
    output: null,
    customStatus: null,
    createdTime: T0,
    lastUpdatedTime: T0,
    completedTime: null,
    parentInstanceId: null,
    failureDetails: null,
    engineState: JSON.stringify(state),
  };
}

let nextMessage = 1;
const msg = (event: HistoryEvent): MessageRow => ({ id: nextMessage++, instanceId: 'i1', event });
const started = () => msg(ev.executionStarted(T0, 'Orch', null, { InstanceId: 'i1', ExecutionId: 'e1' }, null));
const activity = (name: string, input?: unknown): OrchestratorAction => ({ actionType: ActionType.CallActivity, functionName: name, input });
const running = (actions: OrchestratorAction[]): OrchestratorResult => ({ isDone: false, actions });

/**
 * Runs one episode and returns the outcome and the state after it (the prior state plus the episode's
 * delta), with an instance row carrying that whole state for the next episode.
 */
function episode(instance: InstanceRow, messages: MessageRow[], result: OrchestratorResult, now = T0) {
  const prior = parseEngineState(instance.engineState);
  const start = startEpisode(instance, prior, messages, now);
  const outcome = finishEpisode(instance, start, result, now);
  assert.deepEqual(prior, parseEngineState(instance.engineState), 'an episode leaves the prior state alone');
  const state = rebuildEngineState(instance.engineState, [outcome.engine!]);
  return { start, outcome, state, instance: { ...outcome.instance, engineState: JSON.stringify(state) } };
}

describe('engine', () => {
  it('schedules new actions with sequence ids in order and records them', () => {
    const { outcome, state } = episode(row(), [started()], running([activity('A', 'x'), activity('B', { n: 1 })]));
    const scheduled = outcome.append.filter((e) => e.EventType === EventType.TaskScheduled);
    assert.deepEqual(
      scheduled.map((e) => [e.EventId, e.Name, e.Input]),
      [
        [0, 'A', 'x'],
        [1, 'B', '{"n":1}'],
      ],
    );
    assert.deepEqual(outcome.work.map((w) => w.taskId), [0, 1]);
    assert.equal(state.nextSeq, 2);
    assert.equal(outcome.instance.runtimeStatus, 'Running');
    assert.equal(outcome.append[0].EventType, EventType.OrchestratorStarted);
    assert.equal(outcome.append.at(-1)!.EventType, EventType.OrchestratorCompleted);
  });

  it('does not schedule actions again on replay and completes with the output', () => {
    const first = episode(row(), [started()], running([activity('A')]));
    const done = episode(first.instance, [msg(ev.taskCompleted(T0, 0, '"a"'))], { isDone: true, actions: [activity('A')], output: ['a'] });
    assert.equal(done.outcome.work.length, 0);
    assert.equal(done.instance.runtimeStatus, 'Completed');
    assert.equal(done.instance.output, '["a"]');
    assert.ok(done.outcome.clearOutstanding);
  });

  it('detects non-determinism, naming both actions', () => {
    const first = episode(row(), [started()], running([activity('A')]));
    const replay = episode(first.instance, [msg(ev.taskCompleted(T0, 0, 'null'))], running([activity('B')]));
    assert.equal(replay.instance.runtimeStatus, 'Failed');
    const failure = JSON.parse(replay.instance.failureDetails!);
    assert.match(failure.ErrorMessage, /Non-deterministic.*CallActivity:A.*CallActivity:B/);
  });

  it('drops completions for tasks that are not pending (duplicates, stale)', () => {
    const first = episode(row(), [started()], running([activity('A')]));
    const start = startEpisode(first.instance, first.state, [msg(ev.taskCompleted(T0, 7, 'null'))], T0);
    assert.deepEqual(
      start.newEvents.map((e) => e.EventType),
      [EventType.OrchestratorStarted],
    );
  });

  it('retries: failure takes the timer id, the timer firing takes the next attempt id (reference §3)', () => {
    const retry = { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 2 };
    const call: OrchestratorAction = { actionType: ActionType.CallActivityWithRetry, functionName: 'F', retryOptions: retry };
    const first = episode(row(), [started()], running([call]));
    const failed = episode(first.instance, [msg(ev.taskFailed(T0 + 10, 0, ev.failure('nope')))], running([call]), T0 + 10);
    const timer = failed.outcome.append.find((e) => e.EventType === EventType.TimerCreated)!;
    assert.equal(timer.EventId, 1);
    assert.equal(Date.parse(timer.FireAt!), T0 + 10 + 1000);
    assert.equal(failed.outcome.timers[0].timerId, 1);

    const fired = episode(failed.instance, [msg(ev.timerFired(T0 + 1010, 1, T0 + 1010))], running([call]), T0 + 1010);
    const again = fired.outcome.append.find((e) => e.EventType === EventType.TaskScheduled)!;
    assert.equal(again.EventId, 2);
    assert.deepEqual(fired.outcome.work.map((w) => [w.taskId, w.name]), [[2, 'F']]);

    // The last attempt fails: a final (immediate) timer still takes an id; its firing fails the task.
    const last = episode(fired.instance, [msg(ev.taskFailed(T0 + 1020, 2, ev.failure('nope')))], running([call]), T0 + 1020);
    const finalTimer = last.outcome.timers[0];
    assert.equal(finalTimer.timerId, 3);
    assert.equal(finalTimer.fireAt, T0 + 1020);
    assert.equal(last.state.nextSeq, 4);
  });

  it('past the retry timeout, the remaining attempts fail at once so the task fails now', () => {
    const retry = { firstRetryIntervalInMilliseconds: 100, maxNumberOfAttempts: 3, retryTimeoutInMilliseconds: 250 };
    const call: OrchestratorAction = { actionType: ActionType.CallActivityWithRetry, functionName: 'F', retryOptions: retry };
    const first = episode(row(), [started()], running([call]));
    const late = T0 + 1000;
    const failed = episode(first.instance, [msg(ev.taskFailed(late, 0, ev.failure('nope')))], running([call]), late);
    // failure(0) → timer 1 fired → attempt 2 failed → timer 3 fired → attempt 4 failed → final timer 5
    const replayed = failed.start.newEvents.slice(1).map((e) => [EventType[e.EventType], e.TaskScheduledId ?? e.TimerId ?? e.EventId]);
    assert.deepEqual(replayed, [
      ['TaskFailed', 0],
      ['TimerCreated', 1],
      ['TimerFired', 1],
      ['TaskFailed', 2],
      ['TimerCreated', 3],
      ['TimerFired', 3],
      ['TaskFailed', 4],
    ]);
    assert.deepEqual(failed.outcome.timers.map((t) => [t.timerId, t.fireAt]), [[5, late]]);
    assert.equal(failed.state.pending[5]!.retry!.final, true);
    assert.equal(failed.state.nextSeq, 6);
  });

  it('puts id-taking events before events that resume the orchestrator', () => {
    const retry = { firstRetryIntervalInMilliseconds: 10, maxNumberOfAttempts: 3 };
    const call: OrchestratorAction = { actionType: ActionType.CallActivityWithRetry, functionName: 'F', retryOptions: retry };
    const first = episode(row(), [started()], running([call, activity('G')]));
    const completed = msg(ev.taskCompleted(T0, 1, '1'));
    const failed = msg(ev.taskFailed(T0, 0, ev.failure('x')));
    const next = startEpisode(first.instance, first.state, [completed, failed], T0);
    assert.deepEqual(
      next.newEvents.slice(1).map((e) => e.EventType),
      [EventType.TaskFailed, EventType.TaskCompleted],
    );
    // A new action after them gets the id after the retry timer's.
    const outcome = finishEpisode(first.instance, next, running([call, activity('G'), activity('H')]), T0);
    assert.equal(outcome.append.find((e) => e.Name === 'H')!.EventId, 3);
  });

  it('cancels a timer the orchestrator cancelled', () => {
    const timer: OrchestratorAction = { actionType: ActionType.CreateTimer, fireAt: new Date(T0 + 60_000).toISOString(), isCanceled: false };
    const wait: OrchestratorAction = { actionType: ActionType.WaitForExternalEvent, externalEventName: 'Go' };
    const first = episode(row(), [started()], running([wait, timer]));
    assert.equal(first.outcome.timers[0].timerId, 0);
    assert.deepEqual(waitingEventNames(first.state, []), ['Go']);
    const after = episode(first.instance, [msg(ev.eventRaised(T0, 'Go', '1'))], { isDone: true, actions: [wait, { ...timer, isCanceled: true }], output: 1 });
    assert.deepEqual(after.outcome.cancelTimers, [0]);
    assert.equal(after.instance.runtimeStatus, 'Completed');
  });

  it('continue-as-new ends the execution with the new input and drops its pending work', () => {
    const can: OrchestratorAction = { actionType: ActionType.ContinueAsNew, input: 5 };
    const { outcome } = episode(row(), [started()], { isDone: true, actions: [activity('A'), can] });
    assert.deepEqual(outcome.continueAsNew, { input: '5' });
    assert.equal(outcome.work.length, 0);
    assert.equal(outcome.instance.runtimeStatus, 'ContinuedAsNew');
  });

  it('sub-orchestrations: child start with a deterministic id; completion is reported to the parent', () => {
    const call: OrchestratorAction = { actionType: ActionType.CallSubOrchestrator, functionName: 'Child', input: { a: 1 } };
    const { outcome } = episode(row(), [started()], running([call]));
    assert.deepEqual(outcome.children.map((c) => [c.instanceId, c.name, c.input, c.parent.taskScheduledId]), [['i1:0', 'Child', '{"a":1}', 0]]);

    const child = row();
    child.instanceId = 'i1:0';
    const childStart = msg(
      ev.executionStarted(T0, 'Child', '{"a":1}', { InstanceId: 'i1:0', ExecutionId: 'c1' }, { name: 'Orch', instanceId: 'i1', executionId: 'e1', taskScheduledId: 0 }),
    );
    const done = episode(child, [childStart], { isDone: true, actions: [], output: 2 });
    assert.deepEqual(done.outcome.notify.map((n) => [n.instanceId, n.executionId, n.event.EventType, n.event.TaskScheduledId, n.event.Result]), [
      ['i1', 'e1', EventType.SubOrchestrationInstanceCompleted, 0, '2'],
    ]);
  });

  it('an orchestrator error fails the instance with message and stack', () => {
    const { instance, outcome } = episode(row(), [started()], { isDone: false, actions: [], error: { message: 'boom', stack: 'Error: boom\n at x' } });
    assert.equal(instance.runtimeStatus, 'Failed');
    assert.equal(JSON.parse(instance.output!), 'boom');
    assert.equal(JSON.parse(instance.failureDetails!).StackTrace, 'Error: boom\n at x');
    assert.ok(outcome.append.some((e) => e.EventType === EventType.ExecutionCompleted && e.OrchestrationStatus === 'Failed'));
  });

  it('entity actions fail the instance with a clear message', () => {
    const { instance } = episode(row(), [started()], running([{ actionType: ActionType.CallEntity, instanceId: '@counter@c', operation: 'add' }]));
    assert.equal(instance.runtimeStatus, 'Failed');
    assert.match(instance.output!, /entities are not supported/);
  });

  describe('turns', () => {
    it('terminate consumes everything and reports to the parent', () => {
      const state = { ...initialEngineState(), parent: { name: 'P', instanceId: 'p', executionId: 'pe', taskScheduledId: 3 } };
      const plan = planTurn(row(state), state, [msg(ev.eventRaised(T0, 'x', null)), msg(ev.executionTerminated(T0, '"stop"'))], T0);
      assert.equal(plan.kind, 'outcome');
      if (plan.kind !== 'outcome') return;
      assert.equal(plan.outcome.instance.runtimeStatus, 'Terminated');
      assert.equal(plan.outcome.instance.output, '"stop"');
      assert.equal(plan.outcome.consumed.length, 2);
      assert.equal(plan.outcome.notify[0].event.EventType, EventType.SubOrchestrationInstanceFailed);
    });

    it('suspend holds other messages until resume', () => {
      const suspended = planTurn(row(), initialEngineState(), [msg(ev.executionSuspended(T0, null)), msg(ev.eventRaised(T0, 'x', null))], T0);
      assert.equal(suspended.kind, 'outcome');
      if (suspended.kind !== 'outcome') return;
      assert.equal(suspended.outcome.instance.runtimeStatus, 'Suspended');
      assert.equal(suspended.outcome.consumed.length, 1);
      const waiting = planTurn(suspended.outcome.instance, initialEngineState(), [msg(ev.eventRaised(T0, 'x', null))], T0);
      assert.equal(waiting.kind, 'idle');
      const resumed = planTurn(suspended.outcome.instance, initialEngineState(), [msg(ev.eventRaised(T0, 'x', null)), msg(ev.executionResumed(T0, null))], T0);
      assert.equal(resumed.kind, 'episode');
      if (resumed.kind === 'episode') assert.equal(resumed.status, 'Running');
    });

    it('a finished instance drops messages; a failed one can be rewound', () => {
      const done = planTurn(row(initialEngineState(), 'Completed'), initialEngineState(), [msg(ev.eventRaised(T0, 'x', null))], T0);
      assert.equal(done.kind, 'outcome');
      const rewind = planTurn(row(initialEngineState(), 'Failed'), initialEngineState(), [msg(ev.executionRewound(T0, 'again'))], T0);
      assert.equal(rewind.kind, 'rewind');
    });
  });

  it('rewind removes the failure and runs the failed activity again', () => {
    const first = episode(row(), [started()], running([activity('A', 'in')]));
    const failedEvent = ev.taskFailed(T0, 0, ev.failure('bad'));
    const failed = episode(first.instance, [msg(failedEvent)], { isDone: false, actions: [activity('A', 'in')], error: { message: 'bad' } });
    assert.equal(failed.instance.runtimeStatus, 'Failed');
    const history = [...first.outcome.append, ...failed.outcome.append];
    const { outcome, history: rewritten } = planRewind(failed.instance, history, failed.state, [9], 'retry', T0);
    assert.equal(outcome.instance.runtimeStatus, 'Running');
    assert.ok(!rewritten.some((e) => e.EventType === EventType.TaskFailed || e.EventType === EventType.ExecutionCompleted));
    assert.deepEqual(outcome.work.map((w) => [w.taskId, w.name, w.input]), [[0, 'A', 'in']]);
    assert.ok(parseEngineState(outcome.instance.engineState).pending[0]);
  });

  it('retry delays follow the Durable Task Framework backoff', () => {
    const options = { firstRetryIntervalInMilliseconds: 100, maxNumberOfAttempts: 5, backoffCoefficient: 2, maxRetryIntervalInMilliseconds: 500 };
    assert.deepEqual([1, 2, 3, 4].map((n) => nextRetryDelay(options, n, T0, T0)), [100, 200, 400, 500]);
    assert.equal(nextRetryDelay(options, 5, T0, T0), null);
    assert.equal(nextRetryDelay({ ...options, retryTimeoutInMilliseconds: 1000 }, 1, T0, T0 + 1000), null);
  });
});
