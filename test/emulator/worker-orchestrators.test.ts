/** The app worker's orchestrator episodes: the real library replaying histories sent over IPC. */
import * as assert from 'node:assert/strict';
import { ActionType, EventType, type OrchestratorResult } from '../../emulator/protocol/durable';
import { T1, event, helloTokyoDone, orchestrator, startEvents, useTestWorkers } from './support/testWorker';

describe('app worker: orchestrator episodes', function () {
  const start = useTestWorkers();

  describe('orchestrator episodes', () => {
    it('schedules one activity per episode of HelloSequence', async () => {
      const worker = start('scenarios');
      await worker.ready();
      const history = startEvents('HelloSequence', 'hello-1');
      const first = await worker.invokeOk<OrchestratorResult>(orchestrator('HelloSequence', 'hello-1', history));
      assert.deepEqual(first, {
        isDone: false,
        actions: [{ actionType: ActionType.CallActivity, functionName: 'SayHello', input: '"Tokyo"' }],
      });
      const second = await worker.invokeOk<OrchestratorResult>(
        orchestrator('HelloSequence', 'hello-1', [...history, ...helloTokyoDone]),
      );
      assert.equal(second.isDone, false);
      assert.deepEqual(
        second.actions.map((a) => [a.actionType, a.functionName, a.input]),
        [
          [ActionType.CallActivity, 'SayHello', '"Tokyo"'],
          [ActionType.CallActivity, 'SayHello', '"Seattle"'],
        ],
      );
    });

    it('extends the cached history from historyBase and asks for the whole history on a miss', async () => {
      const worker = start('scenarios');
      await worker.ready();
      const history = startEvents('HelloSequence', 'cache-1');
      await worker.invokeOk<OrchestratorResult>(orchestrator('HelloSequence', 'cache-1', history));
      const delta = await worker.invokeOk<OrchestratorResult>(orchestrator('HelloSequence', 'cache-1', helloTokyoDone, 2));
      assert.equal(delta.actions.length, 2, 'the cached prefix plus the delta replays like the full history');

      const needHistory = { needHistory: true };
      assert.deepEqual(await worker.invokeOk(orchestrator('HelloSequence', 'never-seen', helloTokyoDone, 2)), needHistory);
      assert.deepEqual(await worker.invokeOk(orchestrator('HelloSequence', 'cache-1', [], 5)), needHistory, 'wrong length');
      assert.deepEqual(
        await worker.invokeOk(orchestrator('HelloSequence', 'cache-1', [], 6, 'exec-2')),
        needHistory,
        'another execution',
      );
      worker.child.send({ type: 'forget', instanceId: 'cache-1' });
      assert.deepEqual(await worker.invokeOk(orchestrator('HelloSequence', 'cache-1', [], 6)), needHistory, 'forgotten');

      const full = await worker.invokeOk<OrchestratorResult>(orchestrator('HelloSequence', 'cache-1', [...history, ...helloTokyoDone]));
      assert.equal(full.actions.length, 2, 'a full resend (historyBase 0) refills the cache');
      const next = await worker.invokeOk<OrchestratorResult>(orchestrator('HelloSequence', 'cache-1', [], 6));
      assert.equal(next.actions.length, 2);
    });

    it('reports a timer reused across Task.any iterations once (PhoneLike)', async () => {
      const worker = start('scenarios');
      await worker.ready();
      const history = startEvents('PhoneLike', 'phone-1', 60);
      const first = await worker.invokeOk<OrchestratorResult>(orchestrator('PhoneLike', 'phone-1', history));
      assert.deepEqual(
        first.actions.map((a) => a.actionType),
        [ActionType.WaitForExternalEvent, ActionType.CreateTimer],
      );
      assert.equal(first.actions[1].fireAt, '2024-05-01T10:01:00.000Z');

      const afterWrongCode = [
        ...history,
        event(EventType.TimerCreated, { EventId: 0, FireAt: '2024-05-01T10:01:00.000Z' }),
        event(EventType.OrchestratorCompleted),
        event(EventType.OrchestratorStarted, {}, T1),
        event(EventType.EventRaised, { Name: 'Code', Input: '1' }, T1),
      ];
      const second = await worker.invokeOk<OrchestratorResult>(orchestrator('PhoneLike', 'phone-1', afterWrongCode));
      assert.equal(second.isDone, false);
      assert.deepEqual(
        second.actions.map((a) => a.actionType),
        [ActionType.WaitForExternalEvent, ActionType.CreateTimer, ActionType.WaitForExternalEvent],
      );
      assert.deepEqual(second.actions.map((a) => a.externalEventName).filter(Boolean), ['Code', 'Code']);

      const verified = await worker.invokeOk<OrchestratorResult>(
        orchestrator('PhoneLike', 'phone-1', [...afterWrongCode, event(EventType.EventRaised, { Name: 'Code', Input: '1234' }, T1)]),
      );
      assert.equal(verified.isDone, true);
      assert.equal(verified.output, 'verified');
      assert.equal(verified.actions.filter((a) => a.actionType === ActionType.CreateTimer).length, 1);
      assert.equal(verified.actions[1].isCanceled, true);
    });

    it('returns the error of an orchestrator that throws', async () => {
      const worker = start('scenarios');
      await worker.ready();
      const result = await worker.invokeOk<OrchestratorResult>(
        orchestrator('ThrowDirect', 'throw-1', startEvents('ThrowDirect', 'throw-1')),
      );
      assert.equal(result.isDone, false);
      assert.deepEqual(result.actions, []);
      assert.equal(result.error?.message, 'orchestrator exploded');
      assert.match(result.error?.stack ?? '', /orchestrators\.js/);
    });

    it('fails with the activity failure details when an activity failure is not caught', async () => {
      const worker = start('scenarios');
      await worker.ready();
      const history = [
        ...startEvents('Unhandled', 'unhandled-1'),
        event(EventType.TaskScheduled, { EventId: 0, Name: 'AlwaysFail' }),
        event(EventType.OrchestratorCompleted),
        event(EventType.OrchestratorStarted, {}, T1),
        event(
          EventType.TaskFailed,
          {
            TaskScheduledId: 0,
            Reason: 'boom',
            Details: 'Error: boom',
            FailureDetails: { ErrorType: 'Error', ErrorMessage: 'boom', StackTrace: 'Error: boom\n    at handler' },
          },
          T1,
        ),
      ];
      const result = await worker.invokeOk<OrchestratorResult>(orchestrator('Unhandled', 'unhandled-1', history));
      assert.equal(result.isDone, false);
      assert.equal(result.actions.length, 1);
      assert.match(result.error?.message ?? '', /boom/);
      assert.deepEqual(
        (result.error?.failureDetails as { ErrorType: string; ErrorMessage: string }).ErrorMessage,
        'boom',
      );
    });

    it('completes with output and continue-as-new', async () => {
      const worker = start('scenarios');
      await worker.ready();
      const child = await worker.invokeOk<OrchestratorResult>(orchestrator('ChildWithId', 'c-1', startEvents('ChildWithId', 'c-1', 21)));
      assert.deepEqual(child, { isDone: true, actions: [], output: 42 });
      const counter = await worker.invokeOk<OrchestratorResult>(orchestrator('Counter', 'k-1', startEvents('Counter', 'k-1', 1)));
      assert.equal(counter.isDone, true);
      assert.deepEqual(counter.actions, [{ actionType: ActionType.ContinueAsNew, input: 2 }]);
    });
  });
});
