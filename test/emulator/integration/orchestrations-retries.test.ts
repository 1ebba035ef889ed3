/**
 * Orchestration semantics: callActivityWithRetry. Retries take sequence ids during replay (reference §3:
 * a failed attempt's retry timer takes +1, its firing +1 for the next attempt), so the ids are checked
 * in the rendered history and, exactly, in the raw history of the data folder.
 */
import * as assert from 'node:assert/strict';
import { EventType, type HistoryEvent } from '../../../emulator/protocol/durable';
import { getStatus, startOrchestration, waitForStatus } from '../support/httpClient';
import { FINISHED, describeRaw, historyOf, ms, ofType, rawHistories, uniqueId, useEmulator } from './orchestrations-support';

/** The attempts of FailTimes in rendered history: merged TaskFailed/TaskCompleted items, in order. */
const attemptsOf = (events: any[]) => events.filter((e) => (e.EventType === 'TaskFailed' || e.EventType === 'TaskCompleted') && e.FunctionName === 'FailTimes');

/** Checks that every completion refers to a scheduled task and every TimerFired to a created timer, ids unique. */
function assertIdsConsistent(events: HistoryEvent[]): void {
  const text = describeRaw(events);
  const scheduled = new Map<number, HistoryEvent>();
  for (const e of events) {
    if (e.EventType === EventType.TaskScheduled || e.EventType === EventType.TimerCreated || e.EventType === EventType.SubOrchestrationInstanceCreated) {
      assert.ok(!scheduled.has(e.EventId), `sequence id ${e.EventId} taken twice: ${text}`);
      scheduled.set(e.EventId, e);
    }
  }
  const ids = [...scheduled.keys()].sort((a, b) => a - b);
  assert.deepEqual(ids, ids.map((_, i) => i), `sequence ids are 0..n-1 without gaps: ${text}`);
  for (const e of events) {
    if (e.EventType === EventType.TaskCompleted || e.EventType === EventType.TaskFailed) {
      assert.equal(scheduled.get(e.TaskScheduledId!)?.EventType, EventType.TaskScheduled, `completion of ${e.TaskScheduledId}: ${text}`);
    }
    if (e.EventType === EventType.SubOrchestrationInstanceCompleted || e.EventType === EventType.SubOrchestrationInstanceFailed) {
      assert.equal(scheduled.get(e.TaskScheduledId!)?.EventType, EventType.SubOrchestrationInstanceCreated, `completion of ${e.TaskScheduledId}: ${text}`);
    }
    if (e.EventType === EventType.TimerFired) {
      assert.equal(scheduled.get(e.TimerId!)?.EventType, EventType.TimerCreated, `TimerFired ${e.TimerId}: ${text}`);
    }
  }
}

describe('orchestrations: retries', () => {
  const emulator = useEmulator();
  const base = () => emulator().http;
  const raw: { succeeded?: string; exhausted?: string; parallel: string[]; interleaved: string[]; subRetry: string[] } = { parallel: [], interleaved: [], subRetry: [] };

  it('succeeds when the activity fails fewer times than maxAttempts (RetryActivity 2 failures, 3 attempts)', async () => {
    const id = await startOrchestration(base(), 'RetryActivity', { key: uniqueId('retry-ok'), failures: 2, maxAttempts: 3 });
    raw.succeeded = id;
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.equal(status.output, 'ok after 3');

    const events = await historyOf(base(), id);
    const attempts = attemptsOf(events);
    assert.deepEqual(
      attempts.map((e) => e.EventType),
      ['TaskFailed', 'TaskFailed', 'TaskCompleted'],
      JSON.stringify(events),
    );
    assert.equal(ofType(events, 'TaskScheduled').length, 0, 'every attempt is merged with its TaskScheduled');
    assert.deepEqual(ofType(events, 'TimerCreated').map((e) => e.EventId), [1, 3], 'retry timers take ids 1 and 3');
    assert.equal(ofType(events, 'TimerFired').length, 2);
    for (let i = 0; i + 1 < attempts.length; i++) {
      const gap = ms(attempts[i + 1].ScheduledTime) - ms(attempts[i].Timestamp);
      assert.ok(gap >= 100, `attempt ${i + 2} was scheduled ${gap} ms after attempt ${i + 1} failed (first retry interval 100 ms)`);
    }
  });

  it('fails the instance when the activity fails maxAttempts times (RetryActivity 3 failures, 3 attempts)', async () => {
    const id = await startOrchestration(base(), 'RetryActivity', { key: uniqueId('retry-fail'), failures: 3, maxAttempts: 3 });
    raw.exhausted = id;
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Failed', JSON.stringify(status));
    assert.match(JSON.stringify(status.output), /attempt 3 failed/);

    const events = await historyOf(base(), id);
    assert.deepEqual(
      attemptsOf(events).map((e) => e.EventType),
      ['TaskFailed', 'TaskFailed', 'TaskFailed'],
      JSON.stringify(events),
    );
    // After the last failed attempt the library still awaits a (retry) timer before it gives up.
    assert.deepEqual(ofType(events, 'TimerCreated').map((e) => e.EventId), [1, 3, 5]);
    assert.equal(ofType(events, 'TimerFired').length, 3);
    const end = ofType(events, 'ExecutionCompleted')[0];
    assert.equal(end?.OrchestrationStatus, 'Failed');
  });

  it('runs a retried activity in parallel with an activity and a timer, then one more activity (ParallelRetry)', async () => {
    // Different timer lengths so that the user timer fires before, between and after the retry events.
    // busyMs keeps each episode busy so that completions and retry events pile up and arrive together.
    const cases = [
      ...[0, 50, 100, 150, 250, 400].map((timerMs) => ({ key: uniqueId(`parallel-${timerMs}`), failures: 2, timerMs, busyMs: 0 })),
      ...[0, 100, 200].map((timerMs) => ({ key: uniqueId(`parallel-busy-${timerMs}`), failures: 2, timerMs, busyMs: 120 })),
    ];
    const ids = await Promise.all(cases.map((input) => startOrchestration(base(), 'ParallelRetry', input)));
    raw.parallel = ids;
    for (const [i, id] of ids.entries()) {
      const status = await waitForStatus(base(), id, FINISHED);
      assert.equal(status.runtimeStatus, 'Completed', `${JSON.stringify(cases[i])}: ${JSON.stringify(status)}`);
      assert.deepEqual(status.output, { retried: 'ok after 3', echoed: 'beside', after: 'Hello after!' }, JSON.stringify(cases[i]));
    }
  });

  it('keeps scheduling new activities while a retried task waits between attempts (RetryInterleaved)', async () => {
    const ids = await Promise.all(
      [0, 120].map((busyMs) => startOrchestration(base(), 'RetryInterleaved', { key: uniqueId(`interleaved-${busyMs}`), failures: 3, steps: 8, busyMs })),
    );
    raw.interleaved = ids;
    for (const id of ids) {
      const status = await waitForStatus(base(), id, FINISHED);
      assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
      assert.deepEqual(status.output, { done: ['first', 40, 40, 40, 40, 40, 40, 40, 40], result: 'ok after 4' });
    }
  });

  for (const explicitId of [false, true]) {
    it(`retries a failing sub-orchestration ${explicitId ? 'with' : 'without'} an explicit child id (SubOrchRetry)`, async () => {
      const id = await startOrchestration(base(), 'SubOrchRetry', { key: uniqueId('sub-retry'), failures: 2, explicitId });
      raw.subRetry.push(id);
      const status = await waitForStatus(base(), id, FINISHED);
      assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
      assert.equal(status.output, 'ok after 3');
      const events = await historyOf(base(), id);
      const attempts = events.filter((e) => e.EventType.startsWith('SubOrchestrationInstance'));
      assert.deepEqual(
        attempts.map((e) => e.EventType),
        ['SubOrchestrationInstanceFailed', 'SubOrchestrationInstanceFailed', 'SubOrchestrationInstanceCompleted'],
        JSON.stringify(events),
      );
      assert.deepEqual(ofType(events, 'TimerCreated').map((e) => e.EventId), [1, 3]);
      if (explicitId) {
        assert.ok(attempts.every((e) => e.InstanceId === `flaky-${id}`), JSON.stringify(attempts));
        const child = await getStatus(base(), `flaky-${id}`);
        assert.equal(child?.runtimeStatus, 'Completed');
        assert.equal(child.output, 'ok after 3');
      } else {
        assert.equal(new Set(attempts.map((e) => e.InstanceId)).size, 3, `each attempt is a new child instance: ${JSON.stringify(attempts)}`);
        const children = await Promise.all(attempts.map((e) => getStatus(base(), e.InstanceId)));
        assert.deepEqual(
          children.map((c) => c?.runtimeStatus),
          ['Failed', 'Failed', 'Completed'],
        );
      }
    });
  }

  it('gives up once the retry timeout has passed, without using up every attempt (RetryTimeout)', async () => {
    const id = await startOrchestration(emulator().http, 'RetryTimeout');
    const status = await waitForStatus(emulator().http, id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.match(status.output, /^gave up: .*boom/);
    const attempts = (await historyOf(emulator().http, id)).filter((e: any) => e.FunctionName === 'AlwaysFail' && e.EventType === 'TaskFailed');
    assert.ok(attempts.length < 10, `ran ${attempts.length} attempts`);
  });

  it('assigns the sequence ids of reference §3 (raw history, read after stopping the emulator)', async () => {
    assert.ok(raw.succeeded && raw.exhausted && raw.interleaved.length && raw.parallel.length && raw.subRetry.length, 'the earlier tests ran');
    const emu = emulator();
    assert.equal(await emu.stop(), 0);
    const histories = await rawHistories(emu.dataDir, [raw.succeeded!, raw.exhausted!, ...raw.interleaved, ...raw.parallel, ...raw.subRetry]);

    const ok = histories.get(raw.succeeded!)!.current;
    const summary = (events: HistoryEvent[]) =>
      events
        .filter((e) => [EventType.TaskScheduled, EventType.TaskCompleted, EventType.TaskFailed, EventType.TimerCreated, EventType.TimerFired].includes(e.EventType))
        .map((e) => `${EventType[e.EventType]}:${e.EventId >= 0 ? e.EventId : (e.TaskScheduledId ?? e.TimerId)}`);
    assert.deepEqual(
      summary(ok),
      ['TaskScheduled:0', 'TaskFailed:0', 'TimerCreated:1', 'TimerFired:1', 'TaskScheduled:2', 'TaskFailed:2', 'TimerCreated:3', 'TimerFired:3', 'TaskScheduled:4', 'TaskCompleted:4'],
      describeRaw(ok),
    );

    const exhausted = histories.get(raw.exhausted!)!.current;
    assert.deepEqual(
      summary(exhausted),
      [
        'TaskScheduled:0', 'TaskFailed:0', 'TimerCreated:1', 'TimerFired:1',
        'TaskScheduled:2', 'TaskFailed:2', 'TimerCreated:3', 'TimerFired:3',
        'TaskScheduled:4', 'TaskFailed:4', 'TimerCreated:5', 'TimerFired:5',
      ],
      describeRaw(exhausted),
    );

    for (const id of [...raw.interleaved, ...raw.parallel, ...raw.subRetry]) assertIdsConsistent(histories.get(id)!.current);
    // ParallelRetry: FailTimes 0, Echo 1, timer 2, then the retry's ids, then SayHello last.
    for (const id of raw.parallel) {
      const events = histories.get(id)!.current;
      const byName = (name: string) => events.filter((e) => e.EventType === EventType.TaskScheduled && e.Name === name).map((e) => e.EventId);
      assert.deepEqual(byName('Echo'), [1], describeRaw(events));
      assert.equal(byName('FailTimes')[0], 0, describeRaw(events));
      assert.equal(byName('FailTimes').length, 3, describeRaw(events));
      assert.deepEqual(byName('SayHello'), [7], describeRaw(events));
    }
  });
});
