/**
 * Orchestration semantics: durable timers, Task.any races, external events (buffering, names,
 * API answers), a timer reused across loop iterations (PhoneLike).
 */
import * as assert from 'node:assert/strict';
import { api, getStatus, request, startOrchestration, waitForStatus } from '../support/httpClient';
import { FINISHED, historyOf, ms, ofType, raiseEvent, useEmulator, waitForHistory } from './orchestrations-support';

const hasType = (type: string, count = 1) => (events: any[]) => ofType(events, type).length >= count;

describe('orchestrations: durable timers and Task.any', () => {
  const emulator = useEmulator();
  const base = () => emulator().http;

  it('fires a 2 s timer at its FireAt, not before (TimerOnly)', async () => {
    const id = await startOrchestration(base(), 'TimerOnly', 2000);
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    const events = await historyOf(base(), id);
    const [created] = ofType(events, 'TimerCreated');
    const fired = ofType(events, 'TimerFired');
    assert.ok(created, 'TimerCreated in history');
    assert.equal(fired.length, 1, JSON.stringify(events));
    assert.equal(fired[0].FireAt, created.FireAt);
    const started = ofType(events, 'ExecutionStarted')[0];
    const requested = ms(created.FireAt) - ms(created.Timestamp);
    assert.ok(ms(created.FireAt) - ms(started.Timestamp) >= 2000, `FireAt is 2 s after the start (${requested} ms after TimerCreated)`);
    const lateness = ms(fired[0].Timestamp) - ms(fired[0].FireAt);
    console.log(`      timer lateness: ${lateness} ms (target < 50 ms)`);
    assert.ok(lateness >= 0, `TimerFired ${fired[0].Timestamp} is not before FireAt ${fired[0].FireAt}`);
    assert.ok(lateness < 1000, `TimerFired is ${lateness} ms late`);
    // The episode after the timer runs at or after FireAt: currentUtcDateTime returned by the orchestrator.
    assert.ok(ms(status.output) >= ms(fired[0].FireAt), `currentUtcDateTime after the timer (${status.output}) >= FireAt ${fired[0].FireAt}`);
  });

  it('Task.any: the event wins over the timer, and the timer is cancelled (EventOrTimeout)', async () => {
    const id = await startOrchestration(base(), 'EventOrTimeout', 2);
    const before = await waitForHistory(base(), id, 'TimerCreated', hasType('TimerCreated'));
    assert.equal((await raiseEvent(base(), id, 'Go', 'now')).status, 202);
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.equal(status.output, 'event:now');
    const events = await historyOf(base(), id);
    assert.equal(ofType(events, 'TimerFired').length, 0, JSON.stringify(events));
    assert.ok(ms(status.lastUpdatedTime) < ms(ofType(before, 'TimerCreated')[0].FireAt) + 1000);
  });

  it('Task.any: a cancelled timer never fires, even while the instance still runs past its FireAt (EventThenTimer)', async () => {
    const id = await startOrchestration(base(), 'EventThenTimer', { timeoutMs: 1500, thenMs: 2500 });
    await waitForHistory(base(), id, 'the first TimerCreated', hasType('TimerCreated'));
    assert.equal((await raiseEvent(base(), id, 'Go', 'early')).status, 202);
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.equal(status.output, 'event:early');
    const events = await historyOf(base(), id);
    const created = ofType(events, 'TimerCreated');
    assert.equal(created.length, 2, JSON.stringify(events));
    const fired = ofType(events, 'TimerFired');
    assert.deepEqual(
      fired.map((e) => e.FireAt),
      [created[1].FireAt],
      `only the second timer fires; the cancelled one (FireAt ${created[0].FireAt}) does not: ${JSON.stringify(fired)}`,
    );
  });

  it('Task.any: the timer wins when no event comes (EventOrTimeout)', async () => {
    const id = await startOrchestration(base(), 'EventOrTimeout', 1);
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.equal(status.output, 'timeout');
    const events = await historyOf(base(), id);
    assert.equal(ofType(events, 'TimerFired').length, 1);
  });

  it('PhoneLike: one timer reused across iterations; wrong codes twice then 1234 → verified', async () => {
    const id = await startOrchestration(base(), 'PhoneLike', 30);
    for (const [i, code] of [1111, 2222, 1234].entries()) {
      await waitForHistory(base(), id, `${i} Code events and a TimerCreated`, (events) => hasType('TimerCreated')(events) && ofType(events, 'EventRaised').length === i);
      assert.equal((await raiseEvent(base(), id, 'Code', code)).status, 202);
    }
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.equal(status.output, 'verified');
    const events = await historyOf(base(), id);
    assert.equal(ofType(events, 'TimerCreated').length, 1, 'the timer is created once');
    assert.equal(ofType(events, 'TimerFired').length, 0);
    assert.deepEqual(
      ofType(events, 'EventRaised').map((e) => [e.Name, e.Input]),
      [
        ['Code', 1111],
        ['Code', 2222],
        ['Code', 1234],
      ],
    );
  });

  it('PhoneLike: same-name events raised in a burst are buffered and delivered in order → verified', async () => {
    const id = await startOrchestration(base(), 'PhoneLike', 30);
    for (const code of [1111, 2222, 1234]) assert.equal((await raiseEvent(base(), id, 'Code', code)).status, 202);
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.equal(status.output, 'verified');
    assert.deepEqual(
      ofType(await historyOf(base(), id), 'EventRaised').map((e) => e.Input),
      [1111, 2222, 1234],
    );
  });

  it('PhoneLike: the reused timer wins after a wrong code → timeout', async () => {
    const id = await startOrchestration(base(), 'PhoneLike', 1);
    await waitForHistory(base(), id, 'TimerCreated', hasType('TimerCreated'));
    assert.equal((await raiseEvent(base(), id, 'Code', 9999)).status, 202);
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.equal(status.output, 'timeout');
    const events = await historyOf(base(), id);
    assert.equal(ofType(events, 'TimerCreated').length, 1);
    assert.equal(ofType(events, 'TimerFired').length, 1);
  });
});

describe('orchestrations: external events', () => {
  const emulator = useEmulator();
  const base = () => emulator().http;

  it('buffers an event raised before the orchestrator waits for it (SleepThenApproval)', async () => {
    const id = await startOrchestration(base(), 'SleepThenApproval', 500);
    assert.equal((await raiseEvent(base(), id, 'Approval', { approved: true, by: 'test' })).status, 202);
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.deepEqual(status.output, { approved: true, by: 'test' });
    const events = await historyOf(base(), id);
    const raised = ofType(events, 'EventRaised');
    const sleep = ofType(events, 'TaskCompleted');
    assert.equal(raised.length, 1);
    assert.equal(sleep.length, 1);
    assert.ok(ms(raised[0].Timestamp) < ms(sleep[0].Timestamp), 'the event arrived while the activity ran, before the wait');
  });

  it('matches event names case-sensitively: "approval" does not satisfy "Approval" (WaitForApproval)', async () => {
    const id = await startOrchestration(base(), 'WaitForApproval');
    await waitForStatus(base(), id, ['Running']);
    assert.equal((await raiseEvent(base(), id, 'approval', 'lower')).status, 202);
    await waitForHistory(base(), id, 'EventRaised "approval" processed', (events) => ofType(events, 'EventRaised').some((e) => e.Name === 'approval'));
    const still = await getStatus(base(), id);
    assert.equal(still.runtimeStatus, 'Running', JSON.stringify(still));
    assert.equal((await raiseEvent(base(), id, 'Approval', 'upper')).status, 202);
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.equal(status.output, 'upper');
  });

  it('answers 404 for an event to an unknown instance', async () => {
    const reply = await raiseEvent(base(), 'no-such-instance-for-events', 'Approval', true);
    assert.equal(reply.status, 404, reply.text);
  });

  it('answers 410 for an event to a completed instance', async () => {
    const id = await startOrchestration(base(), 'HelloSequence');
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed');
    const reply = await raiseEvent(base(), id, 'Approval', true);
    assert.equal(reply.status, 410, reply.text);
    assert.equal(ofType(await historyOf(base(), id), 'EventRaised').length, 0, 'nothing is delivered');
  });

  it('answers 400 for a non-JSON event body and delivers nothing', async () => {
    const id = await startOrchestration(base(), 'WaitForApproval');
    await waitForStatus(base(), id, ['Running']);
    const reply = await request('POST', `${api(base())}/instances/${id}/raiseEvent/Approval`, '{not json', { 'content-type': 'application/json' });
    assert.equal(reply.status, 400, reply.text);
    // A valid event afterwards is the first and only one delivered.
    assert.equal((await raiseEvent(base(), id, 'Approval', 'valid')).status, 202);
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.output, 'valid');
    assert.equal(ofType(await historyOf(base(), id), 'EventRaised').length, 1);
  });
});
