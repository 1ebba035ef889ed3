/**
 * The built-in HTTP API answers as the extension's HttpApiHandler does: case-insensitive routes, its
 * empty / JSON-string / {"Message"} bodies, raiseEvent's Content-Type rule, create-and-wait and restart
 * with `timeout` + `pollingInterval`, a running instance's Location, purge of a running instance,
 * makeprimary and the `version` parameter. Real HTTP against the CLI on port 0, plus the app's own
 * DurableClient (durable-functions v3) where it calls these routes.
 */
import * as assert from 'node:assert/strict';
import { RunningEmulator, fixtureApp, startEmulator } from '../support/emulatorProcess';
import { api, getStatus, request, startOrchestration, waitForStatus } from '../support/httpClient';

const FINISHED = ['Completed', 'Failed', 'Terminated'];

describe('api: parity with the extension HttpApiHandler', () => {
  let emu: RunningEmulator;
  let base: string;

  before(async () => {
    emu = await startEmulator({ app: fixtureApp('scenarios') });
    base = emu.http;
  });
  after(async () => {
    await emu?.stop();
  });

  async function running(name = 'WaitForApproval'): Promise<string> {
    const id = await startOrchestration(base, name);
    await waitForStatus(base, id, ['Running']);
    return id;
  }

  async function completed(): Promise<string> {
    const id = await startOrchestration(base, 'HelloSequence');
    await waitForStatus(base, id, ['Completed']);
    return id;
  }

  describe('routing', () => {
    it('matches the base path and operation names in any case', async () => {
      const id = await running();
      const upper = `${base}/Runtime/Webhooks/DurableTask/Instances/${id}`;
      assert.equal((await request('POST', `${upper}/Suspend?reason=x`)).status, 202);
      await waitForStatus(base, id, ['Suspended']);
      assert.equal((await request('POST', `${upper}/RESUME`)).status, 202);
      await waitForStatus(base, id, ['Running']);
      const raised = await request('POST', `${upper}/RaiseEvent/Approval`, '"ok"');
      assert.equal(raised.status, 202, raised.text);
      assert.equal((await waitForStatus(base, id, FINISHED)).output, 'ok');

      const other = await running();
      assert.equal((await request('POST', `${api(base)}/instances/${other}/TERMINATE?reason=caps`)).status, 202);
      assert.equal((await waitForStatus(base, other, FINISHED)).runtimeStatus, 'Terminated');
      const started = await request('POST', `${base}/runtime/webhooks/DURABLETASK/ORCHESTRATORS/hellosequence`);
      assert.equal(started.status, 202, started.text);
      assert.equal((await waitForStatus(base, started.json.id, FINISHED)).name, 'HelloSequence');
    });

    it('answers unknown routes, wrong methods and unknown instances with an empty 404', async () => {
      for (const [method, path] of [
        ['GET', ''],
        ['GET', '/orchestrators/HelloSequence'],
        ['POST', '/instances/x/unknownAction'],
        ['PUT', '/instances/x'],
        ['GET', '/instances/x/terminate'],
        ['GET', '/instances/x/raiseEvent/E'],
        ['GET', `/instances/ghost-${Date.now()}`],
        ['DELETE', `/instances/ghost-${Date.now()}`],
        ['POST', `/instances/ghost-${Date.now()}/terminate`],
      ]) {
        const reply = await request(method, `${api(base)}${path}`);
        assert.equal(reply.status, 404, `${method} ${path}`);
        assert.equal(reply.text, '', `${method} ${path}: empty body`);
      }
    });

    it('answers terminate, suspend and resume of a finished instance with an empty 410, and accepts with an empty 202', async () => {
      const id = await completed();
      for (const op of ['terminate', 'suspend', 'resume']) {
        const reply = await request('POST', `${api(base)}/instances/${id}/${op}`);
        assert.equal(reply.status, 410, op);
        assert.equal(reply.text, '', op);
      }
      const live = await running();
      const accepted = await request('POST', `${api(base)}/instances/${live}/terminate`);
      assert.equal(accepted.status, 202);
      assert.equal(accepted.text, '');
    });

    it('answers bad start requests with the extension error objects', async () => {
      const unknown = await request('POST', `${api(base)}/orchestrators/NoSuchThing`);
      assert.equal(unknown.status, 400, unknown.text);
      assert.equal(unknown.json.Message, 'One or more of the arguments submitted is incorrect');
      assert.equal(unknown.json.ExceptionType, 'System.ArgumentException');
      assert.match(unknown.json.ExceptionMessage, /^The function 'NoSuchThing' doesn't exist, is disabled, or is not an orchestrator function\. Additional info: The following are the known orchestrator functions: .*'HelloSequence'/);
      const badJson = await request('POST', `${api(base)}/orchestrators/HelloSequence`, '{nope');
      assert.equal(badJson.status, 400);
      assert.equal(badJson.json.Message, 'Invalid JSON content');
      assert.equal(badJson.json.ExceptionType, 'Newtonsoft.Json.JsonReaderException');
    });
  });

  describe('raiseEvent', () => {
    it('accepts application/json with parameters in any case, and refuses other Content-Types with 400', async () => {
      const id = await running();
      const url = `${api(base)}/instances/${id}/raiseEvent/Approval`;
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp']) {
        const reply = await request('POST', url, '"no"', { 'content-type': type });
        assert.equal(reply.status, 400, type);
        assert.deepEqual(reply.json, { Message: 'Only application/json request content is supported' });
      }
      const untyped = await fetch(url, { method: 'POST', body: new Uint8Array(Buffer.from('"no"')) });
      assert.equal(untyped.status, 400, 'no Content-Type at all');
      assert.equal((await getStatus(base, id)).runtimeStatus, 'Running', 'nothing was delivered');
      const reply = await request('POST', url, '"yes"', { 'content-type': 'Application/JSON; charset=utf-8' });
      assert.equal(reply.status, 202, reply.text);
      assert.equal((await waitForStatus(base, id, FINISHED)).output, 'yes');
    });

    it('refuses an empty body as invalid JSON, and checks the instance before the Content-Type', async () => {
      const id = await running();
      const empty = await request('POST', `${api(base)}/instances/${id}/raiseEvent/Approval`, '', { 'content-type': 'application/json' });
      assert.equal(empty.status, 400);
      assert.equal(empty.json.Message, 'Invalid JSON content');
      const ghost = await request('POST', `${api(base)}/instances/ghost-ct/raiseEvent/Approval`, 'x', { 'content-type': 'text/plain' });
      assert.equal(ghost.status, 404);
      const done = await completed();
      const gone = await request('POST', `${api(base)}/instances/${done}/raiseEvent/Approval`, 'x', { 'content-type': 'text/plain' });
      assert.equal(gone.status, 410);
    });
  });

  describe('create-and-wait and restart with timeout', () => {
    it('waits only with both timeout and pollingInterval (names in any case)', async () => {
      const onlyTimeout = await request('POST', `${api(base)}/orchestrators/WaitForApproval?timeout=30`);
      assert.equal(onlyTimeout.status, 202, 'timeout alone: no wait');
      assert.deepEqual(Object.keys(onlyTimeout.json), [
        'id',
        'statusQueryGetUri',
        'sendEventPostUri',
        'terminatePostUri',
        'purgeHistoryDeleteUri',
        'restartPostUri',
        'suspendPostUri',
        'resumePostUri',
      ]);
      assert.equal(onlyTimeout.headers.get('location'), onlyTimeout.json.statusQueryGetUri);
      assert.equal(onlyTimeout.headers.get('retry-after'), '10');
      assert.equal((await request('POST', `${api(base)}/orchestrators/WaitForApproval?pollingInterval=1`)).status, 202, 'interval alone');

      const waited = await request('POST', `${api(base)}/orchestrators/HelloSequence?TIMEOUT=30&PollingInterval=0.5`);
      assert.equal(waited.status, 200, waited.text);
      assert.deepEqual(waited.json, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    });

    it('answers 202 when the timeout passes first, and 400 (after starting) when pollingInterval > timeout', async () => {
      const still = await request('POST', `${api(base)}/orchestrators/WaitForApproval?timeout=0.2&pollingInterval=0.1`);
      assert.equal(still.status, 202);
      assert.equal((await getStatus(base, still.json.id)).runtimeStatus, 'Running');

      const id = `bad-interval-${Date.now()}`;
      const refused = await request('POST', `${api(base)}/orchestrators/HelloSequence/${id}?timeout=1&pollingInterval=5`);
      assert.equal(refused.status, 400, refused.text);
      assert.equal(refused.json.Message, 'One or more of the arguments submitted is incorrect');
      assert.equal(refused.json.ExceptionMessage, 'Total timeout 1 should be bigger than retry timeout 5');
      assert.equal((await waitForStatus(base, id, FINISHED)).runtimeStatus, 'Completed', 'the instance was started anyway');
    });

    it('answers a Failed instance with 200 and its status, even with returnInternalServerErrorOnFailure', async () => {
      const reply = await request(
        'POST',
        `${api(base)}/orchestrators/FlakyNoRetry?timeout=30&pollingInterval=1&returnInternalServerErrorOnFailure=true&showHistory=true`,
        { key: `wait-fail-${Date.now()}`, failures: 5 },
      );
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.json.runtimeStatus, 'Failed');
      assert.ok(Array.isArray(reply.json.historyEvents), 'the start request query asks for history');
      const get = await request('GET', `${api(base)}/instances/${reply.json.instanceId}?returnInternalServerErrorOnFailure=True`);
      assert.equal(get.status, 500, 'GET honours the flag');
    });

    it('restart waits with timeout and pollingInterval, and answers 500 for the same id while running', async () => {
      const id = await completed();
      const restarted = await request('POST', `${api(base)}/instances/${id}/restart?timeout=30&pollingInterval=1`);
      assert.equal(restarted.status, 200, restarted.text);
      assert.deepEqual(restarted.json, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);

      const live = await running();
      const same = await request('POST', `${api(base)}/instances/${live}/restart?restartWithNewInstanceId=false`);
      assert.equal(same.status, 500, same.text);
      assert.equal(same.json.ExceptionType, 'DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException');
    });
  });

  describe('status, purge, rewind, makeprimary, version', () => {
    it('gives a running instance the request URL as Location, query included', async () => {
      const id = await running();
      const url = `${api(base)}/instances/${id}?showHistory=true&taskHub=x`;
      const reply = await request('GET', url);
      assert.equal(reply.status, 202);
      assert.equal(reply.headers.get('location'), url);
      assert.equal(reply.headers.get('retry-after'), '5');
      const done = await completed();
      assert.equal((await request('GET', `${api(base)}/instances/${done}`)).headers.get('location'), null);
    });

    it('refuses to purge a running instance with 412 and keeps it', async () => {
      const id = await running();
      const reply = await request('DELETE', `${api(base)}/instances/${id}`);
      assert.equal(reply.status, 412, reply.text);
      assert.match(reply.json.Message, /terminate it before purging it/);
      const viaClient = (await request('POST', `${base}/api/client/purgeInstanceHistory/${id}`)).json;
      assert.equal(viaClient.ok, false, 'the DurableClient rejects the purge too');
      assert.match(viaClient.error, /unexpected status code: 412/);
      assert.equal((await getStatus(base, id)).runtimeStatus, 'Running');
    });

    it('answers rewind refusals with a JSON string, which the client library shows as its error', async () => {
      const id = await completed();
      const reply = await request('POST', `${api(base)}/instances/${id}/rewind`);
      assert.equal(reply.status, 412);
      assert.equal(typeof reply.json, 'string');
      const envelope = (await request('POST', `${base}/api/client/rewind/${id}`, { reason: 'no' })).json;
      assert.equal(envelope.ok, false);
      assert.equal(envelope.error, reply.json);
      const ghost = (await request('POST', `${base}/api/client/rewind/ghost-rewind`, { reason: 'no' })).json;
      assert.equal(ghost.error, "No orchestration instance with ID 'ghost-rewind' was found.");
    });

    it('serves makeprimary with any method: one app is always the primary', async () => {
      for (const method of ['POST', 'GET']) {
        const reply = await request(method, `${api(base)}/MakePrimary`);
        assert.equal(reply.status, 200, method);
        assert.equal(reply.text, '');
      }
    });

    it('starts an instance with the version given by ?version= or by the DurableClient', async () => {
      const reply = await request('POST', `${api(base)}/orchestrators/VersionOf?version=2.1&timeout=30&pollingInterval=1`);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.json, '2.1');
      const id = (await request('POST', `${base}/api/client/startNew`, { name: 'VersionOf', version: '3.0' })).json.result;
      assert.equal((await waitForStatus(base, id, FINISHED)).output, '3.0');
      const plain = await request('POST', `${api(base)}/orchestrators/VersionOf?timeout=30&pollingInterval=1`);
      assert.equal(plain.json, '', 'no version and no defaultVersion: empty');
    });
  });
});
