/**
 * Hostile input at the HTTP port (issue 9 §3): each reproducer that once crashed the emulator, hung a
 * connection or went unanswered, kept as a regression test. Every request gets an answer (or a closed
 * socket) and the process keeps serving.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { RunningEmulator, fixtureApp, startEmulator } from '../support/emulatorProcess';
import { api, request, startOrchestration, waitFor, waitForStatus } from '../support/httpClient';
import { portOf, rawExchange } from '../support/rawHttp';

async function assertServing(emu: RunningEmulator): Promise<void> {
  assert.equal(emu.proc.exitCode, null, emu.logs.slice(-20).join('\n'));
  const id = await startOrchestration(emu.http, 'HelloSequence');
  assert.equal((await waitForStatus(emu.http, id, ['Completed', 'Failed'])).runtimeStatus, 'Completed');
}

describe('hostile-http: requests that never reach a handler', () => {
  let emu: RunningEmulator;
  let port: number;
  before(async () => {
    emu = await startEmulator({ app: fixtureApp('scenarios') });
    port = portOf(emu.http);
  });
  after(async () => {
    await emu?.stop();
  });

  for (const target of ['//[', '///%%32%65:x/runtime/emulator/control']) {
    it(`an unauthenticated Upgrade to the unparseable target ${target} answers 400 and the process lives`, async () => {
      const answer = await rawExchange(
        port,
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      );
      assert.equal(answer.status, 400, answer.text);
      await assertServing(emu);
    });
  }

  it('an Upgrade from a foreign Origin answers 403 with a message', async () => {
    const answer = await rawExchange(port, `GET /runtime/emulator/control HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`);
    assert.equal(answer.status, 403, answer.text);
    assert.match(answer.text, /evil\.example/);
  });

  it('Origin: null (sandboxed pages, data: URLs) is refused with 403, for requests and upgrades', async () => {
    const plain = await rawExchange(port, `GET /admin/host/status HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: null\r\nConnection: close\r\n\r\n`);
    assert.equal(plain.status, 403, plain.text);
    const upgrade = await rawExchange(port, `GET /runtime/emulator/control HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: null\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`);
    assert.equal(upgrade.status, 403, upgrade.text);
  });

  it('CONNECT answers 405 instead of a silent close', async () => {
    const answer = await rawExchange(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    assert.equal(answer.status, 405, answer.text);
  });

  it('garbage that is not HTTP answers 400', async () => {
    const answer = await rawExchange(port, '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n');
    assert.equal(answer.status, 400, answer.text);
  });

  it('slow headers and a declared body that never comes are cut with 408 (not 400, not after minutes)', async function () {
    this.timeout(90_000);
    // Both wait on the server's own limits (10 s for headers, 30 s for the whole request).
    const [headers, body] = await Promise.all([
      rawExchange(port, 'GET /admin/host/status HTTP/1.1\r\nHost: 127.0.0.1\r\n', { timeoutMs: 60_000 }),
      rawExchange(port, `POST ${new URL(api(emu.http)).pathname}/orchestrators/HelloSequence HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{`, {
        timeoutMs: 80_000,
      }),
    ]);
    assert.equal(headers.status, 408, headers.text);
    assert.equal(body.status, 408, body.text);
  });

  it('connections past the cap are closed at once; the port serves again when they go', async function () {
    this.timeout(60_000);
    const sockets: net.Socket[] = [];
    let closedEarly = 0;
    try {
      for (let i = 0; i < 560; i++) {
        const socket = net.connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.on('close', () => closedEarly++);
        sockets.push(socket);
      }
      // The server drops what is past its cap (512) as soon as it accepts them.
      await waitFor(() => closedEarly >= 560 - 512, 'connections past the cap to be closed', 30_000);
    } finally {
      for (const s of sockets) s.destroy();
    }
    await waitFor(async () => (await request('GET', `${emu.http}/admin/host/status`)).status === 200, 'the port to serve again');
    await assertServing(emu);
  });
});
