/**
 * Controlling instances through the built-in HTTP API (/runtime/webhooks/durabletask): terminate, suspend and
 * resume, rewind, restart and purge, with the status codes of the real extension's HttpApiHandler.
 */
import * as assert from 'node:assert/strict';
import { useEmulator } from '../support/emulatorProcess';
import { api, getStatus, request, startOrchestration, waitFor, waitForStatus } from '../support/httpClient';

const FINISHED = ['Completed', 'Failed', 'Terminated'];

/** The instance's history as the API renders it (EventType names). */
async function historyOf(base: string, id: string): Promise<any[]> {
  const status = await getStatus(base, id, 'showHistory=true&showHistoryOutput=true');
  return status.historyEvents;
}

describe('api: control through the built-in HTTP API', () => {
  const emulator = useEmulator();
  let base = '';
  before(() => (base = emulator().http));

  describe('terminate', () => {
    it('answers 202, then the instance is Terminated with the reason as its output', async () => {
      const id = await startOrchestration(base, 'WaitForApproval');
      await waitForStatus(base, id, ['Running']);
      const reply = await request('POST', `${api(base)}/instances/${id}/terminate?reason=${encodeURIComponent('stopped by test')}`);
      assert.equal(reply.status, 202, reply.text);
      const status = await waitForStatus(base, id, FINISHED);
      assert.equal(status.runtimeStatus, 'Terminated');
      assert.equal(status.output, 'stopped by test');
      const events = await historyOf(base, id);
      assert.ok(
        events.some((e) => e.EventType === 'ExecutionTerminated'),
        `history has ExecutionTerminated: ${JSON.stringify(events.map((e) => e.EventType))}`,
      );
    });

    it('answers 404 for an unknown instance', async () => {
      const reply = await request('POST', `${api(base)}/instances/no-such-instance/terminate?reason=x`);
      assert.equal(reply.status, 404, reply.text);
    });

    it('answers 410 for a finished instance', async () => {
      const id = await startOrchestration(base, 'HelloSequence');
      await waitForStatus(base, id, ['Completed']);
      const reply = await request('POST', `${api(base)}/instances/${id}/terminate?reason=late`);
      assert.equal(reply.status, 410, reply.text);
      assert.equal((await getStatus(base, id)).runtimeStatus, 'Completed');
    });
  });

  describe('suspend and resume', () => {
    it('suspends, holds an event raised while suspended, and processes it only after resume', async () => {
      const id = await startOrchestration(base, 'WaitForApproval');
      await waitForStatus(base, id, ['Running']);

      const suspend = await request('POST', `${api(base)}/instances/${id}/suspend?reason=pause`);
      assert.equal(suspend.status, 202, suspend.text);
      const suspended = await waitForStatus(base, id, ['Suspended', ...FINISHED]);
      assert.equal(suspended.runtimeStatus, 'Suspended');

      const raise = await request('POST', `${api(base)}/instances/${id}/raiseEvent/Approval`, { approved: true });
      assert.equal(raise.status, 202, raise.text);

      // A barrier instead of a sleep: a whole other orchestration runs to completion after the event was
      // acknowledged, so the emulator had every chance to (wrongly) process the suspended instance meanwhile.
      const other = await startOrchestration(base, 'HelloSequence');
      await waitForStatus(base, other, ['Completed']);
      const still = await getStatus(base, id, 'showHistory=true');
      assert.equal(still.runtimeStatus, 'Suspended');
      assert.equal(still.output, null);
      assert.ok(!still.historyEvents.some((e: any) => e.EventType === 'EventRaised'), 'the event is not processed while suspended');

      const resume = await request('POST', `${api(base)}/instances/${id}/resume?reason=go`);
      assert.equal(resume.status, 202, resume.text);
      const done = await waitForStatus(base, id, FINISHED);
      assert.equal(done.runtimeStatus, 'Completed');
      assert.deepEqual(done.output, { approved: true });
      const events = await historyOf(base, id);
      const types = events.map((e) => e.EventType);
      assert.ok(types.includes('ExecutionSuspended') && types.includes('ExecutionResumed'), JSON.stringify(types));
      assert.ok(types.indexOf('EventRaised') > types.indexOf('ExecutionResumed'), `EventRaised after ExecutionResumed: ${JSON.stringify(types)}`);
    });

    it('a Suspended instance can be terminated', async () => {
      const id = await startOrchestration(base, 'WaitForApproval');
      await waitForStatus(base, id, ['Running']);
      assert.equal((await request('POST', `${api(base)}/instances/${id}/suspend?reason=hold`)).status, 202);
      await waitForStatus(base, id, ['Suspended']);
      assert.equal((await request('POST', `${api(base)}/instances/${id}/terminate?reason=end`)).status, 202);
      const status = await waitForStatus(base, id, FINISHED);
      assert.equal(status.runtimeStatus, 'Terminated');
      assert.equal(status.output, 'end');
    });

    it('answers 404 for unknown instances and 410 for finished ones', async () => {
      assert.equal((await request('POST', `${api(base)}/instances/nobody-here/suspend`)).status, 404);
      assert.equal((await request('POST', `${api(base)}/instances/nobody-here/resume`)).status, 404);
      const id = await startOrchestration(base, 'HelloSequence');
      await waitForStatus(base, id, ['Completed']);
      assert.equal((await request('POST', `${api(base)}/instances/${id}/suspend`)).status, 410);
      assert.equal((await request('POST', `${api(base)}/instances/${id}/resume`)).status, 410);
    });
  });

  describe('rewind', () => {
    it('turns a Failed instance (activity failed once, no retry policy) into a Completed one', async () => {
      const id = await startOrchestration(base, 'FlakyNoRetry', { key: `rewind-${Date.now()}`, failures: 1 });
      const failed = await waitForStatus(base, id, FINISHED);
      assert.equal(failed.runtimeStatus, 'Failed', JSON.stringify(failed));
      assert.match(JSON.stringify(failed.output), /attempt 1 failed/);

      const reply = await request('POST', `${api(base)}/instances/${id}/rewind?reason=${encodeURIComponent('try again')}`);
      assert.equal(reply.status, 202, reply.text);
      const done = await waitFor(async () => {
        const s = await getStatus(base, id);
        return s.runtimeStatus === 'Completed' ? s : undefined;
      }, `${id} to complete after the rewind`);
      assert.equal(done.output, 'ok after 2');
    });

    it('rewinds again and again until the activity succeeds (fails twice)', async () => {
      const id = await startOrchestration(base, 'FlakyNoRetry', { key: `rewind2-${Date.now()}`, failures: 2 });
      await waitForStatus(base, id, ['Failed']);
      assert.equal((await request('POST', `${api(base)}/instances/${id}/rewind?reason=once`)).status, 202);
      // The second attempt fails too: the instance goes back to Failed with the second error.
      const again = await waitFor(async () => {
        const s = await getStatus(base, id);
        return s.runtimeStatus === 'Failed' && /attempt 2 failed/.test(JSON.stringify(s.output)) ? s : undefined;
      }, `${id} to fail again with attempt 2`);
      assert.equal(again.runtimeStatus, 'Failed');
      assert.equal((await request('POST', `${api(base)}/instances/${id}/rewind?reason=twice`)).status, 202);
      const done = await waitFor(async () => {
        const s = await getStatus(base, id);
        return s.runtimeStatus === 'Completed' ? s : undefined;
      }, `${id} to complete after the second rewind`);
      assert.equal(done.output, 'ok after 3');
    });

    it('answers 412 on a Completed instance and 404 on an unknown one', async () => {
      const id = await startOrchestration(base, 'HelloSequence');
      await waitForStatus(base, id, ['Completed']);
      const reply = await request('POST', `${api(base)}/instances/${id}/rewind?reason=no`);
      assert.equal(reply.status, 412, reply.text);
      assert.equal((await request('POST', `${api(base)}/instances/ghost/rewind?reason=no`)).status, 404);
    });
  });

  describe('start', () => {
    it('answers 500 (OrchestrationAlreadyExistsException) when the id is taken by a running instance, and reuses a finished id', async () => {
      const id = `dup-${Date.now()}`;
      await startOrchestration(base, 'WaitForApproval', undefined, id);
      await waitForStatus(base, id, ['Running']);
      const dup = await request('POST', `${api(base)}/orchestrators/HelloSequence/${id}`);
      assert.equal(dup.status, 500, dup.text);
      assert.equal(dup.json.ExceptionType, 'DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException');
      assert.equal(dup.json.ExceptionMessage, 'An Orchestration instance with the status Running already exists.');
      assert.equal((await getStatus(base, id)).name, 'WaitForApproval');
      await request('POST', `${api(base)}/instances/${id}/terminate?reason=free`);
      await waitForStatus(base, id, ['Terminated']);
      assert.equal((await request('POST', `${api(base)}/orchestrators/HelloSequence/${id}`)).status, 202);
      const status = await waitFor(async () => {
        const s = await getStatus(base, id);
        return s.name === 'HelloSequence' && s.runtimeStatus === 'Completed' ? s : undefined;
      }, `${id} to run HelloSequence`);
      assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    });

    it('answers 202 with the check-status payload and headers', async () => {
      const reply = await request('POST', `${api(base)}/orchestrators/HelloSequence`);
      assert.equal(reply.status, 202, reply.text);
      assert.equal(reply.headers.get('location'), reply.json.statusQueryGetUri);
      assert.equal(reply.headers.get('retry-after'), '10');
      assert.ok(new URL(reply.json.statusQueryGetUri).pathname.endsWith(`/instances/${reply.json.id}`));
    });
  });

  describe('restart', () => {
    it('restartWithNewInstanceId=true starts a new instance with the same input', async () => {
      const id = await startOrchestration(base, 'Stamp', { n: 7 });
      const first = await waitForStatus(base, id, FINISHED);
      assert.equal(first.runtimeStatus, 'Completed');
      const reply = await request('POST', `${api(base)}/instances/${id}/restart?restartWithNewInstanceId=true`);
      assert.equal(reply.status, 202, reply.text);
      const newId = reply.json.id;
      assert.ok(newId && newId !== id, `a new id: ${reply.text}`);
      assert.ok(reply.headers.get('location')?.includes(encodeURIComponent(newId)), `Location names the new id: ${reply.headers.get('location')}`);
      const second = await waitForStatus(base, newId, FINISHED);
      assert.equal(second.runtimeStatus, 'Completed');
      assert.equal(second.name, 'Stamp');
      assert.deepEqual(second.input, { n: 7 });
      assert.deepEqual(second.output.input, { n: 7 });
      // The original is untouched.
      assert.deepEqual((await getStatus(base, id)).output, first.output);
    });

    it('restartWithNewInstanceId=false runs the same id again after it completed', async () => {
      const id = `restart-same-${Date.now()}`;
      await startOrchestration(base, 'Stamp', JSON.stringify('same'), id);
      const first = await waitForStatus(base, id, FINISHED);
      assert.equal(first.runtimeStatus, 'Completed');
      const reply = await request('POST', `${api(base)}/instances/${id}/restart?restartWithNewInstanceId=false`);
      assert.equal(reply.status, 202, reply.text);
      assert.equal(reply.json.id, id);
      const second = await waitFor(async () => {
        const s = await getStatus(base, id);
        return s.runtimeStatus === 'Completed' && s.output?.startedAt !== first.output.startedAt ? s : undefined;
      }, `${id} to complete a second run`);
      assert.equal(second.input, 'same');
      assert.equal(second.output.input, 'same');
      assert.ok(second.output.startedAt > first.output.startedAt, `${second.output.startedAt} after ${first.output.startedAt}`);
    });

    it('answers 400 with the ArgumentException for an unknown instance', async () => {
      const reply = await request('POST', `${api(base)}/instances/ghost/restart?restartWithNewInstanceId=true`);
      assert.equal(reply.status, 400, reply.text);
      assert.equal(reply.json.Message, 'InstanceId does not match a valid orchestration instance.');
      assert.equal(reply.json.ExceptionMessage, 'An orchestrastion with the instanceId ghost was not found.');
    });
  });

  describe('purge one instance', () => {
    it('answers 200 {instancesDeleted:1}, then the instance is gone (404) and a second purge is 404', async () => {
      const id = await startOrchestration(base, 'HelloSequence');
      await waitForStatus(base, id, ['Completed']);
      const reply = await request('DELETE', `${api(base)}/instances/${id}`);
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.json, { instancesDeleted: 1 });
      const gone = await request('GET', `${api(base)}/instances/${id}`);
      assert.equal(gone.status, 404, gone.text);
      assert.equal((await request('DELETE', `${api(base)}/instances/${id}`)).status, 404);
    });

    it('refuses to purge a running instance, which keeps running', async () => {
      const id = await startOrchestration(base, 'WaitForApproval');
      await waitForStatus(base, id, ['Running']);
      const reply = await request('DELETE', `${api(base)}/instances/${id}`);
      assert.ok(reply.status >= 400 && reply.status !== 404, `${reply.status} ${reply.text}`);
      assert.equal((await request('POST', `${api(base)}/instances/${id}/raiseEvent/Approval`, { still: 'here' })).status, 202);
      assert.deepEqual((await waitForStatus(base, id, FINISHED)).output, { still: 'here' });
    });

    it('purges a Terminated and a Failed instance too', async () => {
      const failed = await startOrchestration(base, 'Unhandled');
      await waitForStatus(base, failed, ['Failed']);
      const terminated = await startOrchestration(base, 'WaitForApproval');
      await waitForStatus(base, terminated, ['Running']);
      await request('POST', `${api(base)}/instances/${terminated}/terminate?reason=bye`);
      await waitForStatus(base, terminated, ['Terminated']);
      for (const id of [failed, terminated]) {
        const reply = await request('DELETE', `${api(base)}/instances/${id}`);
        assert.equal(reply.status, 200, reply.text);
        assert.deepEqual(reply.json, { instancesDeleted: 1 });
        assert.equal((await request('GET', `${api(base)}/instances/${id}`)).status, 404);
      }
    });
  });
});

describe('api: purge by filter', () => {
  const emulator = useEmulator();
  let base = '';
  before(() => (base = emulator().http));

  it('DELETE instances/?createdTimeFrom=...&runtimeStatus=Completed deletes exactly the completed ones and answers the count', async () => {
    // An instance created before the window: it must survive.
    const before = await startOrchestration(base, 'HelloSequence');
    await waitForStatus(base, before, ['Completed']);
    const from = new Date();
    await waitFor(() => Date.now() > from.getTime(), 'a clock tick');

    const completed: string[] = [];
    for (let i = 0; i < 4; i++) completed.push(await startOrchestration(base, 'HelloSequence'));
    const failed = await startOrchestration(base, 'Unhandled');
    const running = await startOrchestration(base, 'WaitForApproval');
    for (const id of completed) await waitForStatus(base, id, ['Completed']);
    await waitForStatus(base, failed, ['Failed']);
    await waitForStatus(base, running, ['Running']);

    const reply = await request('DELETE', `${api(base)}/instances/?createdTimeFrom=${from.toISOString()}&runtimeStatus=Completed`);
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.json, { instancesDeleted: completed.length });

    for (const id of completed) assert.equal((await request('GET', `${api(base)}/instances/${id}`)).status, 404, `${id} purged`);
    assert.equal((await getStatus(base, before)).runtimeStatus, 'Completed', 'created before createdTimeFrom: kept');
    assert.equal((await getStatus(base, failed)).runtimeStatus, 'Failed', 'not Completed: kept');
    assert.equal((await getStatus(base, running)).runtimeStatus, 'Running', 'running: kept');

    // Nothing left to purge with that filter.
    const again = await request('DELETE', `${api(base)}/instances/?createdTimeFrom=${from.toISOString()}&runtimeStatus=Completed`);
    assert.equal(again.status, 404, again.text);
  });

  it('honours createdTimeTo and several statuses', async () => {
    const from = new Date();
    await waitFor(() => Date.now() > from.getTime(), 'a clock tick');
    const a = await startOrchestration(base, 'HelloSequence');
    const b = await startOrchestration(base, 'Unhandled');
    await waitForStatus(base, a, ['Completed']);
    await waitForStatus(base, b, ['Failed']);
    const to = new Date();
    await waitFor(() => Date.now() > to.getTime(), 'a clock tick');
    const later = await startOrchestration(base, 'HelloSequence');
    await waitForStatus(base, later, ['Completed']);

    const reply = await request(
      'DELETE',
      `${api(base)}/instances/?createdTimeFrom=${from.toISOString()}&createdTimeTo=${to.toISOString()}&runtimeStatus=Completed,Failed`,
    );
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.json, { instancesDeleted: 2 });
    assert.equal((await request('GET', `${api(base)}/instances/${a}`)).status, 404);
    assert.equal((await request('GET', `${api(base)}/instances/${b}`)).status, 404);
    assert.equal((await getStatus(base, later)).runtimeStatus, 'Completed', 'created after createdTimeTo: kept');
  });

  it('answers 400 without createdTimeFrom', async () => {
    const reply = await request('DELETE', `${api(base)}/instances/?runtimeStatus=Completed`);
    assert.equal(reply.status, 400, reply.text);
    assert.equal(reply.json, "Please provide value for 'createdTimeFrom' parameter.");
  });

  it('takes a malformed createdTimeFrom as missing, and a filter naming only Canceled deletes nothing', async () => {
    assert.equal((await request('DELETE', `${api(base)}/instances/?createdTimeFrom=not-a-date`)).status, 400);
    const none = await request('DELETE', `${api(base)}/instances/?createdTimeFrom=2020-01-01T00:00:00Z&runtimeStatus=Canceled`);
    assert.equal(none.status, 404, none.text);
    assert.equal(none.text, '');
  });
});
