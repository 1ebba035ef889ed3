/**
 * Robustness: user code that hangs, kills its process or cannot load never takes the emulator down; bad
 * requests get clear 4xx answers; the HTTP port refuses DNS-rebinding hosts, foreign origins and oversized
 * bodies.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import WebSocket from 'ws';
import { RunningEmulator, fixtureApp, startEmulator } from '../support/emulatorProcess';
import { api, getStatus, request, startOrchestration, waitFor, waitForStatus } from '../support/httpClient';
import { copyFixtureApp, editJson, removeAppCopies } from '../support/tempApp';

const FINISHED = ['Completed', 'Failed', 'Terminated'];
const HELLO = ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'];

/** A request with full control over the headers (fetch will not send a foreign Host). */
function rawRequest(
  base: string,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path: pathAndQuery, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function assertStillServing(base: string): Promise<void> {
  const id = await startOrchestration(base, 'HelloSequence');
  const status = await waitForStatus(base, id, FINISHED);
  assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
  assert.deepEqual(status.output, HELLO);
}

describe('robustness: a hanging activity with host.json functionTimeout 00:00:03', () => {
  let emu: RunningEmulator;
  let app: string;
  before(async () => {
    app = copyFixtureApp('scenarios');
    editJson(path.join(app, 'host.json'), (host) => {
      host.functionTimeout = '00:00:03';
    });
    emu = await startEmulator({ app });
  });
  after(async () => {
    await emu?.stop();
    removeAppCopies(app);
  });

  it('fails the activity with a timeout error; the uncaught failure fails the orchestration', async () => {
    const id = await startOrchestration(emu.http, 'HangActivity');
    const status = await waitForStatus(emu.http, id, FINISHED, 30_000);
    assert.equal(status.runtimeStatus, 'Failed', JSON.stringify(status));
    assert.match(JSON.stringify(status.output), /time(d)? ?out/i);
    const history = (await getStatus(emu.http, id, 'showHistory=true&showHistoryOutput=true')).historyEvents;
    const failed = history.find((e: any) => e.EventType === 'TaskFailed');
    assert.ok(failed, JSON.stringify(history));
    assert.equal(failed.FunctionName, 'Hang');
    assert.match(JSON.stringify(failed), /Timeout value of 3s exceeded/);
  });

  it('the orchestrator can catch the timeout as an activity failure', async () => {
    const id = await startOrchestration(emu.http, 'HangCaught');
    const status = await waitForStatus(emu.http, id, FINISHED, 30_000);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.match(status.output, /^caught: .*time(d)? ?out/i);
  });

  it('other instances still complete afterwards (the worker was restarted)', async () => {
    await emu.waitForLog(/Worker restarted|timed out/i, 10_000);
    await assertStillServing(emu.http);
    const hello = await request('GET', `${emu.http}/api/hello/after-timeout`);
    assert.equal(hello.status, 200);
  });
});

describe('robustness: an activity that calls process.exit', () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ app: fixtureApp('scenarios') });
  });
  after(async () => {
    await emu?.stop();
  });

  it('fails with a TaskFailed naming the worker exit, the worker restarts and a new HelloSequence completes', async () => {
    const id = await startOrchestration(emu.http, 'ExitActivity');
    const status = await waitForStatus(emu.http, id, FINISHED, 30_000);
    assert.equal(status.runtimeStatus, 'Failed', JSON.stringify(status));
    const history = (await getStatus(emu.http, id, 'showHistory=true&showHistoryOutput=true')).historyEvents;
    const failed = history.find((e: any) => e.EventType === 'TaskFailed');
    assert.ok(failed, JSON.stringify(history));
    assert.equal(failed.FunctionName, 'ExitProcess');
    assert.match(JSON.stringify(failed), /worker process exited with code 3/i);
    assert.match(JSON.stringify(failed), /ExitProcess/);
    await emu.waitForLog(/Worker restarted/, 15_000);
    await assertStillServing(emu.http);
  });

  it('survives it again', async () => {
    const id = await startOrchestration(emu.http, 'ExitActivity');
    assert.equal((await waitForStatus(emu.http, id, FINISHED, 30_000)).runtimeStatus, 'Failed');
    await assertStillServing(emu.http);
  });
});

describe('robustness: an app that fails to load (broken-app)', () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ app: fixtureApp('broken-app') });
  });
  after(async () => {
    await emu?.stop();
  });

  it('starts anyway, and GET /admin/host/status reports the error naming the file', async () => {
    const reply = await request('GET', `${emu.http}/admin/host/status`);
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.json.state, 'Error');
    assert.ok(reply.json.errors.length > 0, reply.text);
    assert.match(reply.json.errors.join('\n'), /index\.js/);
    assert.match(reply.json.errors.join('\n'), /cannot load me/);
  });

  it('answers a start through the app route with an error status, and stays alive', async () => {
    const reply = await request('POST', `${emu.http}/api/orchestrators/HelloSequence`);
    assert.ok(reply.status >= 500, `${reply.status} ${reply.text}`);
    assert.match(reply.json?.message ?? reply.text, /cannot load me|failed to load/);
    assert.equal(emu.proc.exitCode, null);
    assert.equal((await request('GET', `${emu.http}/admin/host/status`)).status, 200);
  });

  it('answers a start through the built-in API with an error status, and stays alive', async () => {
    const reply = await request('POST', `${api(emu.http)}/orchestrators/HelloSequence`);
    assert.ok(reply.status >= 400, `expected an error status for a start while the app cannot load, got ${reply.status} ${reply.text}`);
    assert.equal(emu.proc.exitCode, null);
    assert.equal((await request('GET', `${emu.http}/admin/host/status`)).status, 200);
  });
});

describe('robustness: bad requests and the HTTP port guards (--max-body 2048)', () => {
  let emu: RunningEmulator;
  let base: string;
  before(async () => {
    emu = await startEmulator({ app: fixtureApp('scenarios'), args: ['--max-body', '2048'] });
    base = emu.http;
  });
  after(async () => {
    await emu?.stop();
  });

  it('a malformed JSON body on start answers 400 and starts nothing', async () => {
    const id = `malformed-${Date.now()}`;
    const reply = await request('POST', `${api(base)}/orchestrators/HelloSequence/${id}`, '{"not json', { 'content-type': 'application/json' });
    assert.equal(reply.status, 400, reply.text);
    assert.equal(reply.json?.Message, 'Invalid JSON content');
    assert.equal((await request('GET', `${api(base)}/instances/${id}`)).status, 404);
  });

  it('a malformed JSON body on raiseEvent answers 400 and the instance keeps waiting', async () => {
    const id = await startOrchestration(base, 'WaitForApproval');
    await waitForStatus(base, id, ['Running']);
    const reply = await request('POST', `${api(base)}/instances/${id}/raiseEvent/Approval`, '{oops', { 'content-type': 'application/json' });
    assert.equal(reply.status, 400, reply.text);
    assert.equal((await getStatus(base, id)).runtimeStatus, 'Running');
    assert.equal((await request('POST', `${api(base)}/instances/${id}/raiseEvent/Approval`, { fine: true })).status, 202);
    assert.deepEqual((await waitForStatus(base, id, FINISHED)).output, { fine: true });
  });

  it('raiseEvent answers 404 for an unknown instance and 410 for a finished one', async () => {
    assert.equal((await request('POST', `${api(base)}/instances/ghost-${Date.now()}/raiseEvent/Approval`, 1)).status, 404);
    const id = await startOrchestration(base, 'HelloSequence');
    await waitForStatus(base, id, ['Completed']);
    assert.equal((await request('POST', `${api(base)}/instances/${id}/raiseEvent/Approval`, 1)).status, 410);
  });

  it('an unknown instance answers 404 everywhere', async () => {
    const ghost = `ghost-${Date.now()}`;
    assert.equal((await request('GET', `${api(base)}/instances/${ghost}`)).status, 404);
    assert.equal((await request('DELETE', `${api(base)}/instances/${ghost}`)).status, 404);
    for (const op of ['terminate', 'suspend', 'resume', 'rewind']) {
      assert.equal((await request('POST', `${api(base)}/instances/${ghost}/${op}`)).status, 404, op);
    }
    // As the extension: restart of an unknown instance is an ArgumentException, so 400.
    assert.equal((await request('POST', `${api(base)}/instances/${ghost}/restart`)).status, 400);
  });

  it('starting an unknown orchestrator answers 400', async () => {
    const reply = await request('POST', `${api(base)}/orchestrators/NoSuchFunction`);
    assert.equal(reply.status, 400, reply.text);
    assert.match(reply.json?.ExceptionMessage ?? '', /NoSuchFunction/);
  });

  it('unknown routes under /runtime/webhooks/durabletask answer 404', async () => {
    for (const [method, p] of [
      ['GET', '/runtime/webhooks/durabletask'],
      ['GET', '/runtime/webhooks/durabletask/nothing-here'],
      ['GET', '/runtime/webhooks/durabletask/orchestrators/HelloSequence'],
      ['POST', '/runtime/webhooks/durabletask/instances/x/unknownAction'],
      ['PUT', '/runtime/webhooks/durabletask/instances/x'],
    ]) {
      const reply = await request(method, `${base}${p}`);
      assert.equal(reply.status, 404, `${method} ${p}: ${reply.status} ${reply.text}`);
    }
  });

  it('a 10 KB body answers 413 (start, raiseEvent and app functions), and the emulator still answers', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(10 * 1024) });
    const start = await request('POST', `${api(base)}/orchestrators/HelloSequence`, big);
    assert.equal(start.status, 413, start.text);
    const id = await startOrchestration(base, 'WaitForApproval');
    await waitForStatus(base, id, ['Running']);
    const raise = await request('POST', `${api(base)}/instances/${id}/raiseEvent/Approval`, big);
    assert.equal(raise.status, 413, raise.text);
    const app = await request('POST', `${base}/api/echo/request`, big);
    assert.equal(app.status, 413, app.text);
    // Chunked (no Content-Length) is capped as well.
    const chunked = await rawRequest(base, 'POST', '/runtime/webhooks/durabletask/orchestrators/HelloSequence', {
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
    }, big);
    assert.equal(chunked.status, 413, chunked.text);
    // Still answering, and a body under the cap is fine.
    assert.equal((await request('POST', `${api(base)}/instances/${id}/raiseEvent/Approval`, { small: true })).status, 202);
    assert.deepEqual((await waitForStatus(base, id, FINISHED)).output, { small: true });
    await assertStillServing(base);
  });

  it('refuses a hostile Host header (DNS rebinding) with 403', async () => {
    const evil = await rawRequest(base, 'GET', '/runtime/webhooks/durabletask/instances/', { host: 'evil.example.com' });
    assert.equal(evil.status, 403, evil.text);
    const evilApp = await rawRequest(base, 'GET', '/api/hello/x', { host: `evil.example.com:${new URL(base).port}` });
    assert.equal(evilApp.status, 403, evilApp.text);
    const fine = await rawRequest(base, 'GET', '/api/hello/x', { host: `localhost:${new URL(base).port}` });
    assert.equal(fine.status, 200, fine.text);
  });

  it('refuses a foreign Origin with 403 and allows a loopback one', async () => {
    const foreign = await rawRequest(base, 'GET', '/runtime/webhooks/durabletask/instances/', { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403, foreign.text);
    const foreignPost = await rawRequest(base, 'POST', '/runtime/webhooks/durabletask/orchestrators/HelloSequence', {
      origin: 'https://evil.example',
      'content-type': 'application/json',
    });
    assert.equal(foreignPost.status, 403, foreignPost.text);
    const local = await rawRequest(base, 'GET', '/runtime/webhooks/durabletask/instances/', { origin: 'http://localhost:1234' });
    assert.equal(local.status, 200, local.text);
    const localApp = await rawRequest(base, 'GET', '/api/hello/origin', { origin: 'http://127.0.0.1:5500' });
    assert.equal(localApp.status, 200, localApp.text);
  });

  it('refuses a WebSocket upgrade from a foreign Origin', async () => {
    const url = `${emu.ws}?token=${encodeURIComponent(emu.token)}`;
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(url, { origin: 'https://evil.example', headers: { authorization: `Bearer ${emu.token}` } });
      socket.on('open', () => {
        socket.close();
        reject(new Error('a WebSocket from https://evil.example was accepted'));
      });
      socket.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        socket.terminate();
      });
      socket.on('error', () => resolve(-1));
    });
    assert.equal(status, 403);
  });

  it('the emulator is still alive after all of that', async () => {
    assert.equal(emu.proc.exitCode, null);
    await assertStillServing(base);
  });
});

describe('robustness: worker state survives many failures in parallel', () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ app: fixtureApp('scenarios') });
  });
  after(async () => {
    await emu?.stop();
  });

  it('throwing activities, throwing orchestrators and good ones side by side', async () => {
    const ids = await Promise.all([
      startOrchestration(emu.http, 'Unhandled'),
      startOrchestration(emu.http, 'ThrowDirect'),
      startOrchestration(emu.http, 'CatchFailure'),
      startOrchestration(emu.http, 'HelloSequence'),
      startOrchestration(emu.http, 'FanOutFanIn', 20),
    ]);
    const statuses = await Promise.all(ids.map((id) => waitForStatus(emu.http, id, FINISHED)));
    assert.deepEqual(
      statuses.map((s) => s.runtimeStatus),
      ['Failed', 'Failed', 'Completed', 'Completed', 'Completed'],
    );
    assert.match(JSON.stringify(statuses[1].output), /orchestrator exploded/);
    assert.equal(statuses[4].output, 190);
    // Nothing went to pieces: the status endpoint says Running.
    const host = await request('GET', `${emu.http}/admin/host/status`);
    assert.equal(host.json.state, 'Running');
    await waitFor(() => fs.existsSync(emu.dataDir), 'the data folder');
  });
});
