/**
 * An app with `app.setup({ enableHttpStream: true })` and every app and invocation hook, through the CLI:
 * streamed request bodies (text() of a large body, the body as a stream of chunks), a streamed response
 * that reaches the client chunk by chunk, route parameters, failures, a durable starter, and the hooks in
 * the order and with the effects the Node worker gives them (appTerminate on stop and on reload).
 */
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { startEmulator, type RunningEmulator } from '../support/emulatorProcess';
import { request, waitFor, waitForStatus } from '../support/httpClient';
import { copyFixtureApp, removeAppCopies } from '../support/tempApp';

describe('app HTTP streaming and hooks (http-stream-app)', function () {
  let app: string;
  let emu: RunningEmulator;
  const hookLines = (): string[] => fs.readFileSync(path.join(app, 'hooks.log'), 'utf8').trim().split('\n');

  before(async function () {
    this.timeout(90_000);
    app = copyFixtureApp('http-stream-app');
    emu = await startEmulator({ app, args: ['--watch'] });
  });
  after(async function () {
    this.timeout(30_000);
    await emu?.stop();
    removeAppCopies(app);
  });

  it('reads a large request body with request.text()', async () => {
    const body = randomBytes(6 * 1024 * 1024).toString('base64');
    const reply = await request('POST', `${emu.http}/api/Upload`, body, { 'content-type': 'text/plain' });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.json, { length: body.length, sha256: createHash('sha256').update(body).digest('hex') });
  });

  it('hands the function a chunked request body as a stream', async () => {
    const body = randomBytes(3 * 1024 * 1024);
    const reply = await new Promise<{ status: number; json: { bytes: number; chunks: number } }>((resolve, reject) => {
      const req = http.request(`${emu.http}/api/UploadChunks`, { method: 'POST' }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      });
      req.on('error', reject);
      for (let i = 0; i < body.length; i += 256 * 1024) req.write(body.subarray(i, i + 256 * 1024));
      req.end();
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.json.bytes, body.length);
    assert.ok(reply.json.chunks > 1, `${reply.json.chunks} chunk(s)`);
  });

  it('writes a streamed response to the client as its chunks arrive', async () => {
    const response = await fetch(`${emu.http}/api/Ticker`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-ticker'), 'yes');
    assert.equal(response.headers.get('x-ms-invocation-id'), null, 'the proxy header stays between host and worker');
    const reader = response.body!.getReader();
    const first = await reader.read();
    // The function writes its second chunk only after Release: reading the first one before proves streaming.
    assert.equal(Buffer.from(first.value!).toString(), 'tick 1\n');
    assert.equal((await request('POST', `${emu.http}/api/Release`)).text, 'released');
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += Buffer.from(chunk.value).toString();
    assert.equal(rest, 'tick 2\n');
  });

  it('gives route parameters, query, headers, URL and cookies as without streaming', async () => {
    const reply = await request('GET', `${emu.http}/API/Items/42/bob?x=1`, undefined, { 'x-test': 'yes' });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.json, { params: { id: '42', name: 'bob' }, query: { x: '1' }, header: 'yes', url: `${emu.http}/API/Items/42/bob?x=1` });
    assert.equal(reply.headers.get('set-cookie'), 'seen=yes; Path=/');
    assert.equal((await request('GET', `${emu.http}/api/items/forty-two`)).status, 404, 'the int constraint is checked');
  });

  it('answers 204 for no HTTP output and 500 naming the function for a throw', async () => {
    const nothing = await request('GET', `${emu.http}/api/Nothing`);
    assert.equal(nothing.status, 204);
    const fails = await request('GET', `${emu.http}/api/Fails`);
    assert.equal(fails.status, 500);
    assert.match(fails.json.message, /'Fails' failed: streamed function failed/);
  });

  it('refuses a body over the limit with 413', async () => {
    const reply = await request('POST', `${emu.http}/api/Upload`, Buffer.alloc(17 * 1024 * 1024, 'a'), { 'content-type': 'text/plain' });
    assert.equal(reply.status, 413);
  });

  it('starts an orchestration from a streamed durable starter and runs it to completion', async () => {
    const reply = await request('POST', `${emu.http}/api/start/StreamHello`, 'Tokyo', { 'content-type': 'text/plain' });
    assert.equal(reply.status, 202, reply.text);
    assert.ok(reply.json.statusQueryGetUri.startsWith(emu.http));
    const status = await waitForStatus(emu.http, reply.json.id, ['Completed', 'Failed']);
    assert.equal(status.runtimeStatus, 'Completed');
    assert.deepEqual(status.output, ['Hello, Tokyo']);
  });

  it('runs the invocation hooks around each function, with their changes taking effect', async () => {
    assert.equal((await request('GET', `${emu.http}/api/Hooked`)).text, 'wrapped(original)', 'preInvocation replaced the handler');
    const recovered = await request('GET', `${emu.http}/api/Recovers`);
    assert.equal(recovered.status, 200);
    assert.equal(recovered.text, 'recovered', 'postInvocation cleared the error and set the result');
    const lines = hookLines();
    assert.equal(lines[0], 'appStart');
    const at = lines.indexOf('preInvocation Recovers');
    assert.deepEqual(lines.slice(at, at + 2), ['preInvocation Recovers', 'postInvocation Recovers pre=Recovers error=recovered by a hook']);
  });

  it('runs appTerminate, then appStart again, when a change reloads the app', async function () {
    this.timeout(60_000);
    const file = path.join(app, 'src', 'functions', 'stream.js');
    fs.appendFileSync(file, '\n');
    await waitFor(() => hookLines().filter((l) => l === 'appStart').length === 2, 'the reloaded app to start');
    const lines = hookLines();
    const terminate = lines.indexOf('appTerminate appStart');
    assert.ok(terminate > 0 && terminate < lines.lastIndexOf('appStart'), lines.join('\n'));
    const hooked = await waitFor(async () => {
      const reply = await request('GET', `${emu.http}/api/Hooked`);
      return reply.status === 200 && reply;
    }, 'the reloaded app to answer');
    assert.equal(hooked.text, 'wrapped(original)');
  });

  it('runs appTerminate when the emulator stops', async () => {
    assert.equal(await emu.stop(), 0);
    assert.deepEqual(hookLines().filter((l) => l.startsWith('appTerminate')), ['appTerminate appStart', 'appTerminate appStart']);
  });
});
