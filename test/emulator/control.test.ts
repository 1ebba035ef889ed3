/**
 * The WebSocket control channel against a real emulator process (scenarios fixture): connection and
 * authentication, bad messages that must get error replies without dropping the connection, and limits.
 * Methods and pushes have files of their own.
 */
import * as assert from 'node:assert/strict';
import { CONTROL_PATH, CONTROL_PROTOCOL_VERSION, InstanceSummary, MAX_CONTROL_MESSAGE_BYTES, ResponseMessage } from '../../emulator/protocol/control';
import { TestClient, run, upgradeStatus, useControlClient } from './support/controlClient';
import { RunningEmulator, fixtureApp, startEmulator } from './support/emulatorProcess';
import { waitFor } from './support/httpClient';

describe('control channel (WebSocket)', function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let client: TestClient;
  useControlClient((e, c) => ((emu = e), (client = c)));

  describe('connection and authentication', () => {
    it('says hello with the protocol version and the emulator status', () => {
      const hello = client.hello;
      assert.equal(hello.protocolVersion, CONTROL_PROTOCOL_VERSION);
      assert.equal(hello.status.protocolVersion, CONTROL_PROTOCOL_VERSION);
      assert.equal(hello.status.http, emu.http);
      assert.equal(hello.status.dataDir, emu.dataDir);
      assert.equal(hello.status.pid, emu.pid);
      assert.equal(hello.status.app.state, 'ready');
      assert.equal(hello.status.app.hubName, 'ScenarioHub');
      assert.equal(hello.status.app.routePrefix, 'api');
      assert.equal(typeof hello.status.app.workerPid, 'number');
      assert.ok(!Number.isNaN(Date.parse(hello.status.startedAt)));
      assert.equal(typeof hello.status.counts, 'object');
      assert.equal(client.messages[0].type, 'hello', 'hello is the first message');
    });

    it('the ws URL of the ready line is CONTROL_PATH', () => {
      assert.equal(new URL(emu.ws).pathname, CONTROL_PATH);
    });

    it('accepts the token as an Authorization: Bearer header', async () => {
      const other = await TestClient.connect(emu, { header: true });
      assert.equal((await other.call('status', {})).protocolVersion, CONTROL_PROTOCOL_VERSION);
      other.close();
    });

    it('refuses a missing token and a wrong token with 401 (no WebSocket)', async () => {
      assert.equal(await upgradeStatus(emu.ws), 401);
      assert.equal(await upgradeStatus(`${emu.ws}?token=nope`), 401);
      assert.equal(await upgradeStatus(`${emu.ws}?token=${emu.token}x`), 401);
      assert.equal(await upgradeStatus(emu.ws, { headers: { authorization: 'Bearer wrong' } }), 401);
      assert.equal(await upgradeStatus(`${emu.ws}?token=${emu.token}`), 101);
    });

    it('refuses a foreign Origin (403) and allows a loopback one', async () => {
      assert.equal(await upgradeStatus(`${emu.ws}?token=${emu.token}`, { origin: 'https://evil.example' }), 403);
      assert.equal(await upgradeStatus(`${emu.ws}?token=${emu.token}`, { origin: 'http://localhost:3000' }), 101);
    });

    it('answers 404 to an upgrade on another path', async () => {
      const url = new URL(emu.ws);
      url.pathname = '/runtime/emulator/other';
      url.searchParams.set('token', emu.token);
      assert.equal(await upgradeStatus(url.toString()), 404);
    });
  });

  describe('bad messages get error replies and the connection stays usable', () => {
    let bad: TestClient;
    before(async () => {
      bad = await TestClient.connect(emu);
    });
    after(() => bad.close());
    afterEach(async () => {
      assert.equal(bad.closeCode, null, 'the connection is still open');
      assert.equal((await bad.call('status', {})).protocolVersion, CONTROL_PROTOCOL_VERSION);
    });

    const expectError = (reply: ResponseMessage, code: string, id: number | null) => {
      assert.equal(reply.ok, false, JSON.stringify(reply));
      assert.equal(reply.id, id);
      assert.equal((reply as { error: { code: string; message: string } }).error.code, code, JSON.stringify(reply));
      assert.ok((reply as { error: { message: string } }).error.message.length > 0);
    };

    it('not JSON', async () => expectError(await bad.raw('{"type":"request", nope'), 'badMessage', null));
    it('an array', async () => expectError(await bad.raw('[1,2,3]'), 'badMessage', null));
    it('a string, a number, null', async () => {
      expectError(await bad.raw('"status"'), 'badMessage', null);
      expectError(await bad.raw('42'), 'badMessage', null);
      expectError(await bad.raw('null'), 'badMessage', null);
    });
    it('no id', async () => expectError(await bad.raw(JSON.stringify({ type: 'request', method: 'status', params: {} })), 'badMessage', null));
    it('an id that is not an integer', async () => {
      expectError(await bad.raw(JSON.stringify({ type: 'request', id: 'x', method: 'status' })), 'badMessage', null);
      expectError(await bad.raw(JSON.stringify({ type: 'request', id: 1.5, method: 'status' })), 'badMessage', null);
    });
    it('no method, or no type', async () => {
      expectError(await bad.raw(JSON.stringify({ type: 'request', id: 9001, params: {} }), 9001), 'badMessage', 9001);
      expectError(await bad.raw(JSON.stringify({ id: 9002, method: 'status' }), 9002), 'badMessage', 9002);
    });
    it('an unknown method', async () => {
      expectError(await bad.raw(JSON.stringify({ type: 'request', id: 9003, method: 'instances.explode', params: {} }), 9003), 'unknownMethod', 9003);
      expectError(await bad.raw(JSON.stringify({ type: 'request', id: 9004, method: 'toString', params: {} }), 9004), 'unknownMethod', 9004);
    });
    it('params that are not an object', async () => {
      expectError(await bad.raw(JSON.stringify({ type: 'request', id: 9005, method: 'status', params: [1] }), 9005), 'badMessage', 9005);
    });
    it('params of the wrong shape', async () => {
      const send = (id: number, method: string, params: unknown) => bad.raw(JSON.stringify({ type: 'request', id, method, params }), id);
      expectError(await send(9010, 'instances.get', {}), 'invalidParams', 9010);
      expectError(await send(9011, 'instances.get', { instanceId: 42 }), 'invalidParams', 9011);
      expectError(await send(9012, 'instances.list', { pageSize: 0 }), 'invalidParams', 9012);
      expectError(await send(9013, 'instances.list', { pageSize: 'ten' }), 'invalidParams', 9013);
      expectError(await send(9014, 'instances.list', { filter: { runtimeStatus: ['Sleeping'] } }), 'invalidParams', 9014);
      expectError(await send(9015, 'instances.list', { filter: [] }), 'invalidParams', 9015);
      expectError(await send(9016, 'instances.list', { orderBy: 'size' }), 'invalidParams', 9016);
      expectError(await send(9017, 'instances.list', { filter: { createdFrom: 'yesterday' } }), 'invalidParams', 9017);
      expectError(await send(9018, 'instances.list', { continuationToken: 'garbage' }), 'invalidParams', 9018);
      expectError(await send(9019, 'instances.start', { name: 7 }), 'invalidParams', 9019);
      expectError(await send(9020, 'instances.history', { instanceId: 'x', limit: -1 }), 'invalidParams', 9020);
      expectError(await send(9021, 'subscribe', { topics: ['everything'] }), 'invalidParams', 9021);
      expectError(await send(9022, 'subscribe', {}), 'invalidParams', 9022);
      expectError(await send(9023, 'instances.purgeWhere', {}), 'invalidParams', 9023);
      expectError(await send(9024, 'instances.restart', { instanceId: 'x', newInstanceId: 'yes' }), 'invalidParams', 9024);
      expectError(await send(9025, 'instances.start', { name: 'HelloSequence', instanceId: 'a/b' }), 'invalidParams', 9025);
      expectError(await send(9026, 'instances.start', { name: 'NoSuchOrchestrator' }), 'invalidParams', 9026);
    });
    it('a binary frame', async () => expectError(await bad.raw(Buffer.from('{"type":"request","id":1,"method":"status"}'), null, true), 'badMessage', null));
    it('a message over MAX_CONTROL_MESSAGE_BYTES', async () => {
      const big = JSON.stringify({ type: 'request', id: 9030, method: 'instances.start', params: { name: 'HelloSequence', input: 'x'.repeat(MAX_CONTROL_MESSAGE_BYTES) } });
      expectError(await bad.raw(big), 'badMessage', null);
    });
    it('a request just under the limit is processed', async () => {
      const input = 'y'.repeat(MAX_CONTROL_MESSAGE_BYTES - 200);
      const reply = await bad.request('instances.start', { name: 'HelloSequence', input, instanceId: `big-${run}` });
      assert.equal(reply.ok, true, JSON.stringify(reply).slice(0, 300));
      const summary = (reply as { result: InstanceSummary }).result;
      assert.equal(summary.inputPreview!.length, 1025, 'the preview is ~1 KB plus an ellipsis');
      assert.ok(summary.inputPreview!.endsWith('…'));
    });
  });

  describe('limits', () => {
    it('a frame past the hard limit closes the connection with 1009; others are unaffected', async () => {
      const victim = await TestClient.connect(emu);
      victim.ws.send(Buffer.alloc(4 * MAX_CONTROL_MESSAGE_BYTES + 1, 0x20));
      await waitFor(() => victim.closeCode !== null, 'the connection to close');
      assert.equal(victim.closeCode, 1009);
      assert.equal((await client.call('status', {})).protocolVersion, CONTROL_PROTOCOL_VERSION);
    });

    it('closes connections with 1001 when the emulator stops', async () => {
      const other = await startEmulator({ app: fixtureApp('scenarios') });
      const c = await TestClient.connect(other);
      const code = await other.stop();
      assert.equal(code, 0);
      await waitFor(() => c.closeCode !== null, 'the close');
      assert.equal(c.closeCode, 1001);
    });
  });
});
