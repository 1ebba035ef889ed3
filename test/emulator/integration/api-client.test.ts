/**
 * The app's own DurableClient (durable-functions v3, unmodified) against the emulator: every client method,
 * called from an HTTP function of the fixture (src/functions/client.js, `ClientApi`), which answers
 * {ok, result} or {ok:false, error} with what the library returned or threw.
 */
import * as assert from 'node:assert/strict';
import { RunningEmulator, fixtureApp, startEmulator } from '../support/emulatorProcess';
import { Reply, api, getStatus, request, startOrchestration, waitFor, waitForStatus } from '../support/httpClient';

const FINISHED = ['Completed', 'Failed', 'Terminated'];

describe('api: the app DurableClient', () => {
  let emu: RunningEmulator;
  let base: string;

  async function call(op: string, id?: string, body: Record<string, unknown> = {}): Promise<any> {
    const reply = await request('POST', `${base}/api/client/${op}${id ? `/${encodeURIComponent(id)}` : ''}`, body);
    assert.equal(reply.status, 200, `${op} answered ${reply.status}: ${reply.text}`);
    return reply.json;
  }

  async function ok(op: string, id?: string, body: Record<string, unknown> = {}): Promise<any> {
    const envelope = await call(op, id, body);
    assert.equal(envelope.ok, true, `${op} failed in the app: ${envelope.error}`);
    return envelope.result;
  }

  async function raw(op: string, id?: string, body: Record<string, unknown> = {}, origin = base): Promise<Reply> {
    return request('POST', `${origin}/api/client/${op}${id ? `/${encodeURIComponent(id)}` : ''}`, body);
  }

  before(async () => {
    emu = await startEmulator({ app: fixtureApp('scenarios') });
    base = emu.http;
  });
  after(async () => {
    await emu?.stop();
  });

  it('startNew starts an orchestration with the given input and id', async () => {
    const id = await ok('startNew', 'client-start-1', { name: 'ChildWithId', input: 21 });
    assert.equal(id, 'client-start-1');
    const status = await waitForStatus(base, id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed');
    assert.equal(status.output, 42);

    const generated = await ok('startNew', undefined, { name: 'HelloSequence' });
    assert.match(generated, /^[0-9a-zA-Z-]{16,}$/);
    assert.deepEqual((await waitForStatus(base, generated, FINISHED)).output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  it('startNew of an unknown orchestrator is an error in the app', async () => {
    const envelope = await call('startNew', undefined, { name: 'NoSuchOrchestrator' });
    assert.equal(envelope.ok, false);
    assert.match(envelope.error, /400/);
  });

  it('getStatus returns the status, with history when asked, and throws for an unknown id', async () => {
    const id = await ok('startNew', undefined, { name: 'HelloSequence', input: { who: 'client' } });
    await waitForStatus(base, id, ['Completed']);
    const status = await ok('getStatus', id);
    assert.equal(status.instanceId, id);
    assert.equal(status.name, 'HelloSequence');
    assert.equal(status.runtimeStatus, 'Completed');
    assert.deepEqual(status.input, { who: 'client' });
    assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    assert.ok(status.createdTime && status.lastUpdatedTime, JSON.stringify(status));

    // The options reach the API (the library reads `history`, while the extension's JSON names it
    // `historyEvents`, so the library itself drops the events: only the call's success is checked here).
    const withHistory = await ok('getStatus', id, { options: { showHistory: true, showHistoryOutput: true, showInput: true } });
    assert.equal(withHistory.runtimeStatus, 'Completed');
    assert.deepEqual(withHistory.input, { who: 'client' });

    const running = await ok('startNew', undefined, { name: 'WaitForApproval' });
    await waitForStatus(base, running, ['Running']);
    assert.equal((await ok('getStatus', running)).runtimeStatus, 'Running', 'a 202 from the API is still a status for the library');

    const missing = await call('getStatus', `missing-${Date.now()}`);
    assert.equal(missing.ok, false);
    assert.match(missing.error, /404/);
    await ok('terminate', running, { reason: 'cleanup' });
  });

  it('getStatusBy filters by time window and runtime status', async () => {
    const from = new Date();
    await waitFor(() => Date.now() > from.getTime(), 'a clock tick');
    const done = await ok('startNew', undefined, { name: 'HelloSequence' });
    const failing = await ok('startNew', undefined, { name: 'Unhandled' });
    const waiting = await ok('startNew', undefined, { name: 'WaitForApproval' });
    await waitForStatus(base, done, ['Completed']);
    await waitForStatus(base, failing, ['Failed']);
    await waitForStatus(base, waiting, ['Running']);
    const to = new Date();

    const completed = await ok('getStatusBy', undefined, { createdTimeFrom: from, createdTimeTo: to, runtimeStatus: ['Completed'] });
    assert.deepEqual(
      completed.map((s: any) => s.instanceId),
      [done],
    );
    const some = await ok('getStatusBy', undefined, { createdTimeFrom: from, runtimeStatus: ['Failed', 'Running'] });
    assert.deepEqual(some.map((s: any) => s.instanceId).sort(), [failing, waiting].sort());
    const all = await ok('getStatusBy', undefined, { createdTimeFrom: from, createdTimeTo: to });
    assert.deepEqual(all.map((s: any) => s.instanceId).sort(), [done, failing, waiting].sort());
    await ok('terminate', waiting, { reason: 'cleanup' });
  });

  it('getStatusAll returns every instance, more than one page (>100), each once', async function () {
    this.timeout(120_000);
    const started: string[] = [];
    for (let i = 0; i < 130; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: 10 }, (_, j) => startOrchestration(base, 'ChildWithId', i + j, `all-${String(i + j).padStart(3, '0')}`)),
      );
      started.push(...batch);
    }
    await waitFor(async () => {
      const page = await request('GET', `${api(base)}/instances/?instanceIdPrefix=all-&runtimeStatus=Completed&top=200`);
      return page.json?.length === started.length;
    }, 'the 130 instances to complete', 60_000, 100);

    // What the API holds, paged by hand.
    const expected: string[] = [];
    let token: string | null = null;
    do {
      const reply: Reply = await request('GET', `${api(base)}/instances/`, undefined, token ? { 'x-ms-continuation-token': token } : {});
      expected.push(...reply.json.map((s: any) => s.instanceId));
      token = reply.headers.get('x-ms-continuation-token');
    } while (token);
    assert.ok(expected.length > 100, `more than one default page: ${expected.length}`);

    const all = await ok('getStatusAll');
    assert.equal(all.count, expected.length, 'the library followed x-ms-continuation-token through every page');
    assert.equal(new Set(all.ids).size, all.ids.length, 'no duplicates');
    assert.deepEqual([...all.ids].sort(), [...expected].sort());
    for (const id of started) assert.ok(all.ids.includes(id), `${id} listed`);
  });

  it('raiseEvent delivers an event; unknown instances are an error', async () => {
    const id = await ok('startNew', undefined, { name: 'WaitForApproval' });
    await waitForStatus(base, id, ['Running']);
    await ok('raiseEvent', id, { eventName: 'Approval', eventData: { by: 'client', n: 1 } });
    const status = await waitForStatus(base, id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed');
    assert.deepEqual(status.output, { by: 'client', n: 1 });

    const missing = await call('raiseEvent', `ghost-${Date.now()}`, { eventName: 'Approval', eventData: 1 });
    assert.equal(missing.ok, false);
    assert.match(missing.error, /No instance with ID/);
  });

  it('terminate ends a running instance with the reason as output', async () => {
    const id = await ok('startNew', undefined, { name: 'WaitForApproval' });
    await waitForStatus(base, id, ['Running']);
    await ok('terminate', id, { reason: 'client says stop' });
    const status = await waitForStatus(base, id, FINISHED);
    assert.equal(status.runtimeStatus, 'Terminated');
    assert.equal(status.output, 'client says stop');
    const missing = await call('terminate', `ghost-${Date.now()}`, { reason: 'x' });
    assert.equal(missing.ok, false);
    assert.match(missing.error, /No instance with ID/);
  });

  it('suspend and resume: an event raised while suspended is handled after resume', async () => {
    const id = await ok('startNew', undefined, { name: 'WaitForApproval' });
    await waitForStatus(base, id, ['Running']);
    await ok('suspend', id, { reason: 'hold' });
    await waitForStatus(base, id, ['Suspended']);
    await ok('raiseEvent', id, { eventName: 'Approval', eventData: 'late' });
    const barrier = await ok('startNew', undefined, { name: 'HelloSequence' });
    await waitForStatus(base, barrier, ['Completed']);
    assert.equal((await getStatus(base, id)).runtimeStatus, 'Suspended');
    await ok('resume', id, { reason: 'go' });
    const status = await waitForStatus(base, id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed');
    assert.equal(status.output, 'late');
  });

  it('rewind brings a Failed instance back; on a Completed one the library reports the 412', async () => {
    const id = await ok('startNew', undefined, { name: 'FlakyNoRetry', input: { key: `client-rewind-${Date.now()}`, failures: 1 } });
    await waitForStatus(base, id, ['Failed']);
    await ok('rewind', id, { reason: 'again' });
    const status = await waitFor(async () => {
      const s = await getStatus(base, id);
      return s.runtimeStatus === 'Completed' ? s : undefined;
    }, `${id} to complete after the rewind`);
    assert.equal(status.output, 'ok after 2');

    const refused = await call('rewind', id, { reason: 'no' });
    assert.equal(refused.ok, false);
    assert.ok(refused.error, 'the library rejected the rewind of a Completed instance');
  });

  it('purgeInstanceHistory deletes one finished instance; a second purge deletes nothing', async () => {
    const id = await ok('startNew', undefined, { name: 'HelloSequence' });
    await waitForStatus(base, id, ['Completed']);
    const result = await ok('purgeInstanceHistory', id);
    assert.equal(result.instancesDeleted, 1);
    assert.equal((await request('GET', `${api(base)}/instances/${id}`)).status, 404);
    const again = await ok('purgeInstanceHistory', id);
    assert.equal(again.instancesDeleted, 0);
  });

  it('purgeInstanceHistoryBy deletes the instances matching the filter and answers the count', async () => {
    const from = new Date();
    await waitFor(() => Date.now() > from.getTime(), 'a clock tick');
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await ok('startNew', undefined, { name: 'HelloSequence' }));
    const failing = await ok('startNew', undefined, { name: 'Unhandled' });
    for (const id of ids) await waitForStatus(base, id, ['Completed']);
    await waitForStatus(base, failing, ['Failed']);
    const result = await ok('purgeInstanceHistoryBy', undefined, { createdTimeFrom: from, runtimeStatus: ['Completed'] });
    assert.equal(result.instancesDeleted, 3);
    for (const id of ids) assert.equal((await request('GET', `${api(base)}/instances/${id}`)).status, 404);
    assert.equal((await getStatus(base, failing)).runtimeStatus, 'Failed');
    const none = await ok('purgeInstanceHistoryBy', undefined, { createdTimeFrom: from, runtimeStatus: ['Completed'] });
    assert.equal(none.instancesDeleted, 0);
  });

  it('waitForCompletionOrCreateCheckStatusResponse answers 200 with the output when done in time', async () => {
    const reply = await raw('waitForCompletion', undefined, { name: 'HelloSequence', timeoutInMilliseconds: 20_000, retryIntervalInMilliseconds: 100 });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.json, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  it('waitForCompletionOrCreateCheckStatusResponse answers 202 with the check-status payload on timeout', async () => {
    const id = `wait-timeout-${Date.now()}`;
    const reply = await raw('waitForCompletion', id, { name: 'WaitForApproval', timeoutInMilliseconds: 600, retryIntervalInMilliseconds: 100 });
    assert.equal(reply.status, 202, reply.text);
    assert.equal(reply.json.id, id);
    const location = reply.headers.get('location');
    assert.ok(location?.startsWith(`${base}/runtime/webhooks/durabletask/instances/${id}`), `Location on the emulator origin: ${location}`);
    assert.equal((await request('GET', location!)).status, 202);
    await request('POST', `${api(base)}/instances/${id}/raiseEvent/Approval`, 1);
    await waitForStatus(base, id, ['Completed']);
  });

  it('waitForCompletionOrCreateCheckStatusResponse answers 500 with the status when the instance failed', async () => {
    const reply = await raw('waitForCompletion', undefined, { name: 'Unhandled', timeoutInMilliseconds: 20_000, retryIntervalInMilliseconds: 100 });
    assert.equal(reply.status, 500, reply.text);
    assert.equal(reply.json.runtimeStatus, 'Failed');
  });

  it('createCheckStatusResponse (HttpStart): Location and URLs on the emulator origin, and following them works', async () => {
    const port = new URL(base).port;
    const reply = await request('POST', `${base}/api/orchestrators/HelloSequence`);
    assert.equal(reply.status, 202, reply.text);
    assert.equal(reply.headers.get('retry-after'), '10');
    const payload = reply.json;
    const id = payload.id;
    assert.ok(id, reply.text);
    const location = reply.headers.get('location')!;
    assert.equal(location, payload.statusQueryGetUri);
    for (const key of ['statusQueryGetUri', 'sendEventPostUri', 'terminatePostUri', 'rewindPostUri', 'purgeHistoryDeleteUri', 'restartPostUri', 'suspendPostUri', 'resumePostUri']) {
      const url = new URL(payload[key]);
      assert.equal(url.origin, base, `${key} on ${base}: ${payload[key]}`);
      assert.equal(url.port, port);
      assert.ok(url.pathname.startsWith(`/runtime/webhooks/durabletask/instances/${id}`), `${key}: ${payload[key]}`);
    }
    const done = await waitFor(async () => {
      const r = await request('GET', payload.statusQueryGetUri);
      return r.status === 200 ? r : undefined;
    }, 'statusQueryGetUri to answer 200');
    assert.equal(done.json.runtimeStatus, 'Completed');
    assert.deepEqual(done.json.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });

  it('createCheckStatusResponse uses the origin of the incoming request (localhost)', async () => {
    const port = new URL(base).port;
    const origin = `http://localhost:${port}`;
    const reply = await request('POST', `${origin}/api/orchestrators/ChildWithId`, 5);
    assert.equal(reply.status, 202, reply.text);
    assert.ok(reply.headers.get('location')!.startsWith(`${origin}/runtime/webhooks/durabletask/instances/`), reply.headers.get('location')!);
    const done = await waitFor(async () => {
      const r = await request('GET', reply.json.statusQueryGetUri);
      return r.status === 200 ? r : undefined;
    }, 'statusQueryGetUri on localhost to answer 200');
    assert.equal(done.json.output, 10);

    // The sendEventPostUri template works as given.
    await startOrchestration(base, 'WaitForApproval', undefined, 'check-wait-2');
    const check = await raw('checkStatus', 'check-wait-2', {}, origin);
    assert.equal(check.status, 202, check.text);
    assert.ok(check.headers.get('location')!.startsWith(`${origin}/`), check.headers.get('location')!);
    const sendUrl = check.json.sendEventPostUri.replace('{eventName}', 'Approval');
    assert.equal((await request('POST', sendUrl, JSON.stringify('via template'))).status, 202);
    const status = await waitForStatus(base, 'check-wait-2', FINISHED);
    assert.equal(status.output, 'via template');
  });

  it('createHttpManagementPayload names the instance and the emulator origin', async () => {
    const payload = await ok('httpManagementPayload', 'payload-1');
    assert.equal(payload.id, 'payload-1');
    assert.equal(new URL(payload.statusQueryGetUri).port, new URL(base).port);
    assert.match(payload.terminatePostUri, /\/instances\/payload-1\/terminate\?reason=\{text\}/);
  });
});
