/**
 * Orchestration semantics, end to end against the emulator CLI and the scenarios fixture app:
 * activities, fan-out/fan-in, sub-orchestrations, continue-as-new, custom status, deterministic APIs,
 * errors, non-determinism, callHttp, app settings. Timers and events: orchestrations-events-timers.test.ts;
 * retries: orchestrations-retries.test.ts.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventType } from '../../../emulator/protocol/durable';
import { api, getStatus, request, startOrchestration, waitFor, waitForStatus } from '../support/httpClient';
import { FINISHED, describeRaw, historyOf, ms, ofType, rawHistories, raiseEvent, uniqueId, useEmulator } from './orchestrations-support';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe('orchestrations: activities, sub-orchestrations, continue-as-new, determinism', () => {
  const emulator = useEmulator();
  const base = () => emulator().http;
  /** Instances whose raw history the last test reads from the data folder. */
  const raw: { deterministic?: string; counter?: string; fanOut?: string } = {};

  it('runs an activity sequence in order (HelloSequence)', async () => {
    const id = await startOrchestration(base(), 'HelloSequence');
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    const events = await historyOf(base(), id);
    assert.deepEqual(
      ofType(events, 'TaskCompleted').map((e) => [e.FunctionName, e.Result]),
      [
        ['SayHello', 'Hello Tokyo!'],
        ['SayHello', 'Hello Seattle!'],
        ['SayHello', 'Hello London!'],
      ],
    );
  });

  it('fans out 50 activities and fans in their sum, with 50 merged TaskScheduled/TaskCompleted pairs', async () => {
    const id = await startOrchestration(base(), 'FanOutFanIn', 50);
    raw.fanOut = id;
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.equal(status.output, (49 * 50) / 2);

    const events = await historyOf(base(), id);
    const completed = ofType(events, 'TaskCompleted');
    assert.equal(completed.length, 50, `TaskCompleted events: ${completed.length}`);
    assert.equal(ofType(events, 'TaskScheduled').length, 0, 'every TaskScheduled is merged into its TaskCompleted');
    assert.ok(completed.every((e) => e.FunctionName === 'Echo'), 'FunctionName comes from the TaskScheduled');
    assert.ok(completed.every((e) => typeof e.ScheduledTime === 'string' && ms(e.ScheduledTime) <= ms(e.Timestamp)), 'ScheduledTime <= Timestamp');
    assert.deepEqual(
      completed.map((e) => e.Result).sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.equal(ofType(events, 'ExecutionStarted').length, 1);
    assert.equal(ofType(events, 'ExecutionCompleted').length, 1);
    assert.ok(!events.some((e) => e.EventType === 'OrchestratorStarted' || e.EventType === 'OrchestratorCompleted'), 'episode markers are not rendered');
  });

  it('runs sub-orchestrations with and without an explicit instance id (ParentOrch)', async () => {
    const id = await startOrchestration(base(), 'ParentOrch', 21);
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.deepEqual(status.output, [['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'], 42]);

    const explicit = await getStatus(base(), `child-${id}`);
    assert.ok(explicit, `child-${id} exists`);
    assert.equal(explicit.runtimeStatus, 'Completed');
    assert.equal(explicit.name, 'ChildWithId');
    assert.equal(explicit.input, 21);
    assert.equal(explicit.output, 42);

    const subs = ofType(await historyOf(base(), id), 'SubOrchestrationInstanceCompleted');
    assert.deepEqual(
      subs.map((e) => e.FunctionName),
      ['HelloSequence', 'ChildWithId'],
    );
    assert.equal(subs[1].InstanceId, `child-${id}`);
    const generatedId = subs[0].InstanceId;
    assert.ok(typeof generatedId === 'string' && generatedId && generatedId !== id, `generated child id: ${generatedId}`);
    const generated = await getStatus(base(), generatedId);
    assert.equal(generated?.runtimeStatus, 'Completed');
    assert.equal(generated.name, 'HelloSequence');
    assert.deepEqual(generated.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  it("propagates a failing sub-orchestration to the parent as a catchable error (SubOrchCatch)", async () => {
    const id = await startOrchestration(base(), 'SubOrchCatch');
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.match(status.output, /^caught: .*child failed on purpose \(caught\)/);
    const child = await getStatus(base(), `failing-child-${id}`);
    assert.equal(child?.runtimeStatus, 'Failed');
    assert.match(JSON.stringify(child.output), /child failed on purpose \(caught\)/);
    const failed = ofType(await historyOf(base(), id), 'SubOrchestrationInstanceFailed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].FunctionName, 'FailingChild');
  });

  it('fails the parent when a failing sub-orchestration is not caught (SubOrchUncaught)', async () => {
    const id = await startOrchestration(base(), 'SubOrchUncaught');
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Failed', JSON.stringify(status));
    assert.match(JSON.stringify(status.output), /child failed on purpose \(uncaught\)/);
  });

  it('continues as new on the same instance id, keeping only the last generation in the current history (Counter)', async () => {
    const id = await startOrchestration(base(), 'Counter', 0);
    raw.counter = id;
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.equal(status.instanceId, id);
    assert.equal(status.output, 3);
    assert.equal(status.input, 3, 'the status shows the input of the current generation');
    const events = await historyOf(base(), id);
    const started = ofType(events, 'ExecutionStarted');
    assert.equal(started.length, 1, JSON.stringify(events));
    assert.equal(started[0].Input, 3);
    assert.equal(ofType(events, 'ContinueAsNew').length, 0, 'the generation that ran to completion did not continue as new');
    const completed = ofType(events, 'ExecutionCompleted');
    assert.equal(completed.length, 1);
    assert.equal(completed[0].OrchestrationStatus, 'Completed');
    assert.equal(completed[0].Result, 3);
  });

  it('a sub-orchestration that continues as new from its first execution still reports to its parent (ParentOfCounter)', async () => {
    const id = await startOrchestration(base(), 'ParentOfCounter');
    const status = await waitForStatus(base(), id, FINISHED, 30_000);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.equal(status.output, 3);
  });

  it("does not let generation 0's late activity result complete generation 1's task (ContinueAsNewInflight)", async () => {
    const id = await startOrchestration(base(), 'ContinueAsNewInflight');
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.equal(status.output, 900, 'generation 1 gets its own Sleep(900) result, not the 300 of generation 0');
    const completed = ofType(await historyOf(base(), id), 'TaskCompleted');
    assert.deepEqual(completed.map((e) => e.Result), [900], JSON.stringify(completed));
  });

  it("does not let generation 0's pending timer fire generation 1's timer (ContinueAsNewTimer)", async () => {
    const id = await startOrchestration(base(), 'ContinueAsNewTimer');
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    const events = await historyOf(base(), id);
    const created = ofType(events, 'TimerCreated');
    const fired = ofType(events, 'TimerFired');
    assert.equal(created.length, 1, JSON.stringify(events));
    assert.deepEqual(fired.map((e) => e.FireAt), [created[0].FireAt], JSON.stringify(events));
    assert.ok(ms(status.output) >= ms(created[0].FireAt), `generation 1 resumed at ${status.output}, before its timer's FireAt ${created[0].FireAt}`);
  });

  it('starts orchestrations through the app\'s HttpStart function and its check-status response', async () => {
    const id = uniqueId('http-start');
    const reply = await request('POST', `${base()}/api/orchestrators/ParentOrch/${id}`, 5);
    assert.equal(reply.status, 202, reply.text);
    assert.equal(reply.json.id, id);
    assert.ok(reply.json.statusQueryGetUri.startsWith(base()), `statusQueryGetUri on the emulator's origin: ${reply.json.statusQueryGetUri}`);
    const done = await waitFor(async () => {
      const r = await request('GET', reply.json.statusQueryGetUri);
      return r.status === 200 ? r : undefined;
    }, 'the statusQueryGetUri to answer 200');
    assert.equal(done.json.runtimeStatus, 'Completed', done.text);
    assert.deepEqual(done.json.output, [['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'], 10]);
  });

  it('shows the custom status while waiting, then the final one (CustomStatus)', async () => {
    const id = await startOrchestration(base(), 'CustomStatus');
    const waiting = await waitFor(async () => {
      const s = await getStatus(base(), id);
      return s?.customStatus?.stage === 'waiting' ? s : undefined;
    }, 'custom status "waiting"');
    assert.equal(waiting.runtimeStatus, 'Running');
    assert.equal((await raiseEvent(base(), id, 'Continue', {})).status, 202);
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.equal(status.output, 'ok');
    assert.deepEqual(status.customStatus, { stage: 'done' });
  });

  it('replays deterministic APIs to the same values (Deterministic)', async () => {
    const id = await startOrchestration(base(), 'Deterministic');
    raw.deterministic = id;
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    const { time, guid, replaying } = status.output;
    assert.match(guid, GUID);
    assert.deepEqual(replaying, [true, false], 'isReplaying before (replayed) and after (new event) the activity in the last episode');
    const events = await historyOf(base(), id);
    const echo = ofType(events, 'TaskCompleted')[0];
    // The guid the first episode passed to Echo (recorded then) equals the one the last replay returned.
    assert.equal(echo.Result, guid);
    const started = ofType(events, 'ExecutionStarted')[0];
    assert.ok(ms(time) >= ms(started.Timestamp), `currentUtcDateTime ${time} >= ExecutionStarted ${started.Timestamp}`);
    assert.ok(ms(time) <= ms(echo.ScheduledTime), `currentUtcDateTime ${time} is the first episode's time, not later than ${echo.ScheduledTime}`);
    // A second instance gets a different guid (it depends on the instance id).
    const other = await startOrchestration(base(), 'Deterministic');
    const otherStatus = await waitForStatus(base(), other, FINISHED);
    assert.match(otherStatus.output.guid, GUID);
    assert.notEqual(otherStatus.output.guid, guid);
  });

  it('passes local.settings.json Values to activities (SettingOrch)', async () => {
    const id = await startOrchestration(base(), 'SettingOrch');
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.equal(status.output, 'from-local-settings');
  });

  it('answers 400 naming the function when starting an orchestrator that does not exist', async () => {
    const reply = await request('POST', `${api(base())}/orchestrators/Nope`, {});
    assert.equal(reply.status, 400, reply.text);
    assert.match(reply.text, /Nope/);
  });

  it('keeps exact raw history in the data folder (read after stopping the emulator)', async () => {
    assert.ok(raw.deterministic && raw.counter && raw.fanOut, 'the earlier tests ran');
    const emu = emulator();
    assert.equal(await emu.stop(), 0, 'SIGTERM exits 0');
    const histories = await rawHistories(emu.dataDir, [raw.deterministic!, raw.counter!, raw.fanOut!]);

    // currentUtcDateTime is the Timestamp of the FIRST episode's OrchestratorStarted.
    const det = histories.get(raw.deterministic!)!.current;
    const firstEpisode = det.find((e) => e.EventType === EventType.OrchestratorStarted)!;
    const detStatus = det.find((e) => e.EventType === EventType.ExecutionCompleted)!;
    const output = JSON.parse(detStatus.Result!);
    assert.equal(output.time, new Date(firstEpisode.Timestamp).toISOString(), describeRaw(det));

    // Continue-as-new: four executions kept; the current one starts with input 3.
    const counter = histories.get(raw.counter!)!;
    assert.equal(counter.executions, 4, 'executions kept for inspection');
    const counterStarted = counter.current.filter((e) => e.EventType === EventType.ExecutionStarted);
    assert.equal(counterStarted.length, 1, describeRaw(counter.current));
    assert.equal(JSON.parse(counterStarted[0].Input!), 3);

    // Fan-out: ids 0..49, each completed once; completions are batched into few episodes.
    const fan = histories.get(raw.fanOut!)!.current;
    const scheduledIds = fan.filter((e) => e.EventType === EventType.TaskScheduled).map((e) => e.EventId);
    assert.deepEqual([...scheduledIds].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    const completedIds = fan.filter((e) => e.EventType === EventType.TaskCompleted).map((e) => e.TaskScheduledId!);
    assert.deepEqual([...completedIds].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    // Each completion says when its activity started running (waiting for a worker vs running, in the timeline).
    for (const done of fan.filter((e) => e.EventType === EventType.TaskCompleted)) {
      const scheduled = fan.find((e) => e.EventType === EventType.TaskScheduled && e.EventId === done.TaskScheduledId)!;
      assert.ok(Date.parse(done.StartedTime!) >= Date.parse(scheduled.Timestamp) && Date.parse(done.StartedTime!) <= Date.parse(done.Timestamp), describeRaw(fan));
    }
    const episodes = fan.filter((e) => e.EventType === EventType.OrchestratorStarted).length;
    console.log(`      fan-out of 50 took ${episodes} episodes`);
    assert.ok(episodes < 50, `completions are batched: ${episodes} episodes for 50 activities`);
  });
});

describe('orchestrations: errors, non-determinism, callHttp', () => {
  const emulator = useEmulator();
  const base = () => emulator().http;

  it('lets the orchestrator catch an activity failure (CatchFailure)', async () => {
    const id = await startOrchestration(base(), 'CatchFailure');
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.match(status.output, /^caught: /);
    assert.match(status.output, /boom/);
  });

  it('fails the instance on an unhandled activity failure, with the message in output and failure details (Unhandled)', async () => {
    const id = await startOrchestration(base(), 'Unhandled');
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Failed', JSON.stringify(status));
    assert.match(JSON.stringify(status.output), /boom/);
    const events = await historyOf(base(), id);
    const taskFailed = ofType(events, 'TaskFailed');
    assert.equal(taskFailed.length, 1);
    assert.equal(taskFailed[0].FunctionName, 'AlwaysFail');
    assert.match(taskFailed[0].FailureDetails?.ErrorMessage ?? taskFailed[0].Reason, /boom/);
    const end = ofType(events, 'ExecutionCompleted');
    assert.equal(end.length, 1, JSON.stringify(events));
    assert.equal(end[0].OrchestrationStatus, 'Failed');
    assert.ok(end[0].FailureDetails, 'ExecutionCompleted carries FailureDetails');
    assert.match(end[0].FailureDetails.ErrorMessage, /boom/);
  });

  it('fails the instance when the orchestrator throws (ThrowDirect)', async () => {
    const id = await startOrchestration(base(), 'ThrowDirect');
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Failed', JSON.stringify(status));
    assert.match(JSON.stringify(status.output), /orchestrator exploded/);
    const end = ofType(await historyOf(base(), id), 'ExecutionCompleted')[0];
    assert.match(end?.FailureDetails?.ErrorMessage ?? '', /orchestrator exploded/);
  });

  it('fails a non-deterministic orchestrator with an error naming both actions (NonDeterministic)', async () => {
    const id = await startOrchestration(base(), 'NonDeterministic');
    const status = await waitForStatus(base(), id, FINISHED);
    assert.equal(status.runtimeStatus, 'Failed', JSON.stringify(status));
    const message = JSON.stringify(status.output);
    assert.match(message, /Non-deterministic/);
    assert.match(message, /Echo/);
    assert.match(message, /SayHello/);
  });

  it('performs callHttp with the async polling pattern and returns the final response (CallHttp)', async () => {
    const seen: string[] = [];
    const stub = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const port = (stub.address() as AddressInfo).port;
      if (seen.length <= 2) {
        res.writeHead(202, { Location: `http://127.0.0.1:${port}/poll/${seen.length}`, 'Retry-After': '0' });
        res.end();
      } else {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('stub says hello');
      }
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(stub.address() as AddressInfo).port}/start`;
      const id = await startOrchestration(base(), 'CallHttp', { url });
      const status = await waitForStatus(base(), id, FINISHED);
      assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
      assert.deepEqual(status.output, { statusCode: 200, content: 'stub says hello' });
      assert.deepEqual(seen, ['GET /start', 'GET /poll/1', 'GET /poll/2']);
      const completed = ofType(await historyOf(base(), id), 'TaskCompleted');
      assert.equal(completed.length, 1, 'the host polls; the orchestrator sees one response');
      assert.equal(completed[0].FunctionName, 'BuiltIn::HttpActivity');
    } finally {
      await new Promise((resolve) => stub.close(resolve));
    }
  });
});
