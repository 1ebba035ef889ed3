/**
 * The WebSocket control channel against a real emulator process (scenarios fixture): connection and
 * authentication, every method, pushes (coalesced instances, ordered history, logs, worker), and bad
 * messages that must get error replies without dropping the connection.
 */
import * as assert from 'node:assert/strict';
import WebSocket from 'ws';
import {
  CONTROL_PATH,
  CONTROL_PROTOCOL_VERSION,
  HelloMessage,
  HostMessage,
  InstanceSummary,
  MAX_CONTROL_MESSAGE_BYTES,
  Method,
  Params,
  PushMessage,
  ResponseMessage,
  Result,
} from '../../emulator/protocol/control';
import type { HistoryEvent } from '../../emulator/protocol/durable';
import { RunningEmulator, fixtureApp, startEmulator } from './support/emulatorProcess';
import { request as httpRequest, waitFor } from './support/httpClient';

type InstancesPush = Extract<PushMessage, { topic: 'instances' }>;
type HistoryPush = Extract<PushMessage, { topic: 'history' }>;

class CallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** A bare client: every host message is kept, requests are correlated by id. */
class TestClient {
  readonly messages: HostMessage[] = [];
  readonly pushes: PushMessage[] = [];
  /** Arrival time (ms) of each push, same index as `pushes`. */
  readonly pushTimes: number[] = [];
  private nextId = 1;
  private readonly waiters = new Set<() => void>();
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as HostMessage;
      this.messages.push(message);
      if (message.type === 'push') {
        this.pushes.push(message);
        this.pushTimes.push(performance.now());
      }
      for (const waiter of [...this.waiters]) waiter();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const waiter of [...this.waiters]) waiter();
    });
    ws.on('error', () => undefined);
  }

  static connect(emu: RunningEmulator, options: { token?: string | null; header?: boolean; origin?: string; path?: string } = {}): Promise<TestClient> {
    const token = options.token === undefined ? emu.token : options.token;
    const url = new URL(emu.ws);
    if (options.path) url.pathname = options.path;
    if (token !== null && !options.header) url.searchParams.set('token', token);
    const headers: Record<string, string> = {};
    if (token !== null && options.header) headers.authorization = `Bearer ${token}`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers, origin: options.origin, maxPayload: 256 * 1024 * 1024 });
      const client = new TestClient(ws);
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        ws.terminate();
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
      });
      ws.once('error', reject);
      client.waitForMessage((m) => m.type === 'hello', 10_000).then(() => resolve(client), reject);
    });
  }

  get hello(): HelloMessage {
    return this.messages.find((m) => m.type === 'hello') as HelloMessage;
  }

  waitForMessage(predicate: (m: HostMessage) => boolean, timeoutMs = 30_000, start = 0): Promise<HostMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.messages.slice(start).find(predicate);
        if (hit) {
          done();
          resolve(hit);
        } else if (this.closeCode !== null) {
          done();
          reject(new Error(`the connection closed (${this.closeCode})`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Sends a raw frame and returns the next response with that id (null for unparseable ones). */
  async raw(data: string | Buffer, id: number | null = null, binary = false): Promise<ResponseMessage> {
    const start = this.messages.length;
    this.ws.send(data, { binary });
    return (await this.waitForMessage((m) => m.type === 'response' && m.id === id, 30_000, start)) as ResponseMessage;
  }

  async request<M extends Method>(method: M, params: Params<M>): Promise<ResponseMessage<M>> {
    const id = this.nextId++;
    const start = this.messages.length;
    this.ws.send(JSON.stringify({ type: 'request', id, method, params }));
    return (await this.waitForMessage((m) => m.type === 'response' && m.id === id, 60_000, start)) as ResponseMessage<M>;
  }

  async call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
    const reply = await this.request(method, params);
    if (!reply.ok) throw new CallError(reply.error.code, reply.error.message);
    return reply.result as Result<M>;
  }

  async callError<M extends Method>(method: M, params: Params<M>): Promise<string> {
    const reply = await this.request(method, params);
    assert.equal(reply.ok, false, `${method} should have failed: ${JSON.stringify(reply)}`);
    return (reply as { error: { code: string } }).error.code;
  }

  instancePushes(): InstancesPush[] {
    return this.pushes.filter((p): p is InstancesPush => p.topic === 'instances');
  }

  /** The latest summary pushed for each instance (removals delete it). */
  latest(): Map<string, InstanceSummary> {
    const map = new Map<string, InstanceSummary>();
    for (const p of this.instancePushes()) {
      for (const id of p.removed) map.delete(id);
      for (const s of p.changed) map.set(s.instanceId, s);
    }
    return map;
  }

  async waitForInstance(instanceId: string, predicate: (s: InstanceSummary) => boolean, timeoutMs = 30_000): Promise<InstanceSummary> {
    await this.waitForMessage(
      (m) => m.type === 'push' && m.topic === 'instances' && m.changed.some((s) => s.instanceId === instanceId && predicate(s)),
      timeoutMs,
    );
    return this.latest().get(instanceId)!;
  }

  close(): void {
    this.ws.close();
  }
}

const FINISHED = ['Completed', 'Failed', 'Terminated'];
const run = Date.now().toString(36);

/** Polls instances.get until the predicate holds. */
function waitForDetail(client: TestClient, instanceId: string, predicate: (d: Result<'instances.get'>) => boolean, what: string, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const d = await client.call('instances.get', { instanceId });
      return predicate(d) ? d : undefined;
    },
    `${instanceId} ${what}`,
    timeoutMs,
  );
}

function waitForStatus(client: TestClient, instanceId: string, statuses: string[], timeoutMs = 30_000) {
  return waitForDetail(client, instanceId, (d) => statuses.includes(d.runtimeStatus), `to be ${statuses.join('/')}`, timeoutMs);
}

/** Opens a WebSocket and resolves with the HTTP status of the refusal, or 101 when it was accepted. */
function upgradeStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options);
    ws.on('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
    ws.on('error', () => resolve(-1));
  });
}

describe('control channel (WebSocket)', function () {
  this.timeout(120_000);
  let emu: RunningEmulator;
  let client: TestClient;

  before(async () => {
    emu = await startEmulator({ app: fixtureApp('scenarios') });
    client = await TestClient.connect(emu);
  });
  after(async () => {
    client?.close();
    await emu?.stop();
  });

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

  describe('methods', () => {
    it('functions.list lists the app functions', async () => {
      const functions = await client.call('functions.list', {});
      const hello = functions.find((f) => f.name === 'HelloSequence');
      assert.equal(hello?.kind, 'orchestrator');
      assert.equal(functions.find((f) => f.name === 'SayHello')?.kind, 'activity');
      assert.equal(functions.find((f) => f.name === 'Hello')?.kind, 'http');
    });

    it('instances.start a HelloSequence: coalesced instance pushes until Completed, then instances.get', async () => {
      const watcher = await TestClient.connect(emu);
      await watcher.call('subscribe', { topics: ['instances'] });
      const started = await client.call('instances.start', { name: 'HelloSequence', input: { greeting: 'hi' } });
      assert.equal(started.name, 'HelloSequence');
      assert.equal(started.inputPreview, '{"greeting":"hi"}');
      const id = started.instanceId;
      const done = await watcher.waitForInstance(id, (s) => s.runtimeStatus === 'Completed');
      assert.equal(done.outputPreview, '["Hello Tokyo!","Hello Seattle!","Hello London!"]');
      assert.ok(done.completedTime);
      const mine = watcher.pushes
        .map((p, i) => ({ p, at: watcher.pushTimes[i] }))
        .filter(({ p }) => p.topic === 'instances' && p.changed.some((s) => s.instanceId === id));
      for (const { p } of mine) {
        assert.equal((p as InstancesPush).changed.filter((s) => s.instanceId === id).length, 1, 'one summary per instance per push');
      }
      // The Pending row and 4 episodes are 5 changes; pushes are at least ~100 ms apart, so quick ones merge.
      assert.ok(mine.length <= 5, `${mine.length} pushes for one HelloSequence`);
      for (let i = 1; i < mine.length; i++) assert.ok(mine[i].at - mine[i - 1].at >= 80, `pushes ${mine[i].at - mine[i - 1].at} ms apart`);
      const statuses = mine.map(({ p }) => (p as InstancesPush).changed.find((s) => s.instanceId === id)!.runtimeStatus);
      assert.equal(statuses[statuses.length - 1], 'Completed');
      const rank = statuses.map((s) => ['Pending', 'Running', 'Completed'].indexOf(s));
      assert.deepEqual(rank, [...rank].sort((a, b) => a - b), `statuses in order: ${statuses.join(', ')}`);

      const detail = await client.call('instances.get', { instanceId: id });
      assert.equal(detail.runtimeStatus, 'Completed');
      assert.deepEqual(detail.input, { greeting: 'hi' });
      assert.deepEqual(detail.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
      assert.equal(detail.customStatus, null);
      assert.equal(detail.failure, null);
      assert.deepEqual(detail.waitingForEvents, []);
      assert.equal(detail.executions.length, 1);
      assert.equal(detail.executions[0].executionId, detail.executionId);
      assert.ok(detail.executions[0].eventCount > 10);
      assert.equal((detail as unknown as Record<string, unknown>).inputPreview, undefined);
      watcher.close();
    });

    it('instances.get of an unknown instance: notFound', async () => {
      assert.equal(await client.callError('instances.get', { instanceId: 'nobody' }), 'notFound');
    });

    it('instances.start with an id already running: conflict', async () => {
      const instanceId = `dup-${run}`;
      await client.call('instances.start', { name: 'WaitForApproval', instanceId });
      assert.equal(await client.callError('instances.start', { name: 'WaitForApproval', instanceId }), 'conflict');
      await client.call('instances.terminate', { instanceId, reason: 'cleanup' });
    });

    it('WaitForApproval: waitingEvents is ["Approval"], raiseEvent completes it with the data', async () => {
      const { instanceId } = await client.call('instances.start', { name: 'WaitForApproval' });
      const waiting = await waitFor(
        async () => {
          const r = await client.call('instances.waitingEvents', { instanceId });
          return r.eventNames.length ? r : undefined;
        },
        'the wait to be recorded',
      );
      assert.deepEqual(waiting.eventNames, ['Approval']);
      assert.deepEqual((await client.call('instances.get', { instanceId })).waitingForEvents, ['Approval']);
      assert.deepEqual(await client.call('instances.raiseEvent', { instanceId, eventName: 'Approval', data: { approved: true, by: 'me' } }), { ok: true });
      const done = await waitForStatus(client, instanceId, FINISHED);
      assert.equal(done.runtimeStatus, 'Completed');
      assert.deepEqual(done.output, { approved: true, by: 'me' });
      assert.deepEqual((await client.call('instances.waitingEvents', { instanceId })).eventNames, []);
      assert.equal(await client.callError('instances.raiseEvent', { instanceId, eventName: 'Approval' }), 'gone');
      assert.equal(await client.callError('instances.raiseEvent', { instanceId: 'nobody', eventName: 'Approval' }), 'notFound');
      assert.equal(await client.callError('instances.raiseEvent', { instanceId, eventName: '' }), 'invalidParams');
    });

    it('instances.terminate', async () => {
      const { instanceId } = await client.call('instances.start', { name: 'WaitForApproval' });
      assert.deepEqual(await client.call('instances.terminate', { instanceId, reason: 'no longer needed' }), { ok: true });
      const done = await waitForStatus(client, instanceId, FINISHED);
      assert.equal(done.runtimeStatus, 'Terminated');
      assert.equal(done.output, 'no longer needed');
      assert.equal(await client.callError('instances.terminate', { instanceId }), 'gone');
      assert.equal(await client.callError('instances.terminate', { instanceId: 'nobody' }), 'notFound');
    });

    it('instances.suspend and instances.resume', async () => {
      const { instanceId } = await client.call('instances.start', { name: 'WaitForApproval' });
      await waitForStatus(client, instanceId, ['Running']);
      assert.deepEqual(await client.call('instances.suspend', { instanceId, reason: 'hold on' }), { ok: true });
      await waitForStatus(client, instanceId, ['Suspended']);
      await client.call('instances.raiseEvent', { instanceId, eventName: 'Approval', data: 'while suspended' });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await client.call('instances.get', { instanceId })).runtimeStatus, 'Suspended', 'a suspended instance runs no episode');
      assert.deepEqual(await client.call('instances.resume', { instanceId, reason: 'go on' }), { ok: true });
      const done = await waitForStatus(client, instanceId, FINISHED);
      assert.equal(done.runtimeStatus, 'Completed');
      assert.equal(done.output, 'while suspended');
      assert.equal(await client.callError('instances.suspend', { instanceId }), 'gone');
    });

    it('instances.rewind of a failing instance (FlakyNoRetry) completes it; rewinding a Completed one: preconditionFailed', async () => {
      const { instanceId } = await client.call('instances.start', { name: 'FlakyNoRetry', input: { key: `ws-rewind-${run}`, failures: 1 } });
      const failed = await waitForStatus(client, instanceId, FINISHED);
      assert.equal(failed.runtimeStatus, 'Failed');
      assert.ok(failed.failure, 'the failure is reported');
      assert.match(failed.failure!.message, /attempt 1 failed/);
      assert.equal(typeof failed.failure!.type, 'string');
      const listed = await client.call('instances.list', { filter: { instanceIdPrefix: instanceId } });
      assert.match(listed.instances[0].failure!.message, /attempt 1 failed/);
      assert.deepEqual(await client.call('instances.rewind', { instanceId, reason: 'try again' }), { ok: true });
      const done = await waitForStatus(client, instanceId, ['Completed']);
      assert.equal(done.output, 'ok after 2');
      assert.equal(done.failure, null);
      assert.equal(await client.callError('instances.rewind', { instanceId }), 'preconditionFailed');
      assert.equal(await client.callError('instances.rewind', { instanceId: 'nobody' }), 'notFound');
    });

    it('instances.restart with a new id and with the same id; a running one: conflict', async () => {
      const { instanceId } = await client.call('instances.start', { name: 'HelloSequence', input: 'again' });
      const first = await waitForStatus(client, instanceId, FINISHED);
      const fresh = await client.call('instances.restart', { instanceId });
      assert.notEqual(fresh.instanceId, instanceId, 'a new instance id by default');
      assert.equal(fresh.inputPreview, '"again"');
      assert.equal((await waitForStatus(client, fresh.instanceId, FINISHED)).runtimeStatus, 'Completed');
      const same = await client.call('instances.restart', { instanceId, newInstanceId: false });
      assert.equal(same.instanceId, instanceId);
      assert.notEqual(same.executionId, first.executionId);
      assert.equal((await waitForStatus(client, instanceId, FINISHED)).runtimeStatus, 'Completed');

      const waiting = await client.call('instances.start', { name: 'WaitForApproval' });
      assert.equal(await client.callError('instances.restart', { instanceId: waiting.instanceId, newInstanceId: false }), 'conflict');
      await client.call('instances.terminate', { instanceId: waiting.instanceId });
      assert.equal(await client.callError('instances.restart', { instanceId: 'nobody' }), 'notFound');
    });

    it('instances.purge: the removal is pushed; running ones refused; unknown ones: 0', async () => {
      const watcher = await TestClient.connect(emu);
      await watcher.call('subscribe', { topics: ['instances'] });
      const { instanceId } = await client.call('instances.start', { name: 'HelloSequence' });
      await waitForStatus(client, instanceId, FINISHED);
      assert.deepEqual(await client.call('instances.purge', { instanceId }), { deleted: 1 });
      await watcher.waitForMessage((m) => m.type === 'push' && m.topic === 'instances' && m.removed.includes(instanceId));
      assert.equal(watcher.latest().has(instanceId), false);
      assert.equal(await client.callError('instances.get', { instanceId }), 'notFound');
      assert.deepEqual(await client.call('instances.purge', { instanceId }), { deleted: 0 });

      const running = await client.call('instances.start', { name: 'WaitForApproval' });
      // InstanceControl refuses it with 412 (409 in earlier versions): the code follows the status.
      assert.ok(['preconditionFailed', 'conflict'].includes(await client.callError('instances.purge', { instanceId: running.instanceId })));
      await client.call('instances.terminate', { instanceId: running.instanceId });
      watcher.close();
    });

    it('instances.purgeWhere purges the finished instances matching the filter and pushes the removals', async () => {
      const watcher = await TestClient.connect(emu);
      await watcher.call('subscribe', { topics: ['instances'] });
      const prefix = `pw-${run}-`;
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await client.call('instances.start', { name: 'HelloSequence', instanceId: `${prefix}${i}` })).instanceId);
      const left = (await client.call('instances.start', { name: 'WaitForApproval', instanceId: `${prefix}running` })).instanceId;
      for (const id of ids) await waitForStatus(client, id, FINISHED);
      assert.deepEqual(await client.call('instances.purgeWhere', { filter: { instanceIdPrefix: prefix } }), { deleted: 4 });
      await waitFor(() => {
        const removed = new Set(watcher.instancePushes().flatMap((p) => p.removed));
        return ids.every((id) => removed.has(id));
      }, 'the removals to be pushed');
      const listed = await client.call('instances.list', { filter: { instanceIdPrefix: prefix } });
      assert.deepEqual(listed.instances.map((s) => s.instanceId), [left], 'the running one is left alone');
      assert.deepEqual(await client.call('instances.purgeWhere', { filter: { instanceIdPrefix: prefix, runtimeStatus: ['Running'] } }), { deleted: 0 });
      await client.call('instances.terminate', { instanceId: left });
      watcher.close();
    });

    it('instances.list: filters, ordering, paging with continuation tokens, total', async () => {
      const prefix = `list-${run}-`;
      const names = ['HelloSequence', 'WaitForApproval'];
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const id = `${prefix}${String(i).padStart(2, '0')}`;
        ids.push(id);
        await client.call('instances.start', { name: names[i % 2], instanceId: id, input: i });
        await new Promise((r) => setTimeout(r, 3)); // distinct created times
      }
      for (const id of ids.filter((_, i) => i % 2 === 0)) await waitForStatus(client, id, ['Completed']);
      for (const id of ids.filter((_, i) => i % 2 === 1)) await waitForStatus(client, id, ['Running']);

      // Paging by instanceId ascending, 3 at a time.
      const seen: string[] = [];
      let token: string | null | undefined;
      let pages = 0;
      do {
        const page = await client.call('instances.list', {
          filter: { instanceIdPrefix: prefix },
          orderBy: 'instanceId',
          pageSize: 3,
          continuationToken: token ?? undefined,
        });
        assert.equal(page.total, 7);
        assert.ok(page.instances.length <= 3);
        seen.push(...page.instances.map((s) => s.instanceId));
        token = page.continuationToken;
        pages++;
      } while (token);
      assert.deepEqual(seen, ids);
      assert.equal(pages, 3);

      const desc = await client.call('instances.list', { filter: { instanceIdPrefix: prefix }, orderBy: 'instanceId', descending: true });
      assert.deepEqual(desc.instances.map((s) => s.instanceId), [...ids].reverse());
      const newest = await client.call('instances.list', { filter: { instanceIdPrefix: prefix } });
      assert.deepEqual(newest.instances.map((s) => s.instanceId), [...ids].reverse(), 'default order: newest first');

      const completed = await client.call('instances.list', { filter: { instanceIdPrefix: prefix, runtimeStatus: ['Completed'] } });
      assert.deepEqual(completed.instances.map((s) => s.instanceId).sort(), ids.filter((_, i) => i % 2 === 0));
      assert.equal(completed.total, 4);
      const byName = await client.call('instances.list', { filter: { instanceIdPrefix: prefix, name: 'WaitForApproval' }, orderBy: 'name' });
      assert.deepEqual(byName.instances.map((s) => s.instanceId).sort(), ids.filter((_, i) => i % 2 === 1));
      assert.equal(byName.total, 3);
      const both = await client.call('instances.list', { filter: { instanceIdPrefix: prefix, name: 'WaitForApproval', runtimeStatus: ['Completed'] } });
      assert.equal(both.total, 0);
      assert.deepEqual(both.instances, []);
      assert.equal(both.continuationToken, null);

      const all = await client.call('instances.list', { filter: { instanceIdPrefix: prefix }, orderBy: 'createdTime' });
      const created = all.instances.map((s) => s.createdTime);
      const mid = created[3];
      const window = await client.call('instances.list', { filter: { instanceIdPrefix: prefix, createdFrom: mid, createdTo: created[5] }, orderBy: 'createdTime' });
      assert.deepEqual(window.instances.map((s) => s.instanceId), all.instances.slice(3, 6).map((s) => s.instanceId));
      const updated = await client.call('instances.list', { filter: { instanceIdPrefix: prefix }, orderBy: 'lastUpdatedTime', descending: true, pageSize: 2 });
      assert.equal(updated.instances.length, 2);
      assert.ok(updated.continuationToken);
      // A token belongs to its order.
      assert.equal(
        await client.callError('instances.list', { filter: { instanceIdPrefix: prefix }, orderBy: 'instanceId', continuationToken: updated.continuationToken! }),
        'invalidParams',
      );
      const s = all.instances[1];
      assert.equal(s.inputPreview, '1');
      assert.equal(s.parentInstanceId, null);
      for (const id of ids.filter((_, i) => i % 2 === 1)) await client.call('instances.terminate', { instanceId: id });
    });

    it('instances.history pages the history; executions and unknown ones', async () => {
      const { instanceId } = await client.call('instances.start', { name: 'FanOutFanIn', input: 40 });
      const done = await waitForStatus(client, instanceId, FINISHED);
      assert.equal(done.output, 780);
      const whole = await client.call('instances.history', { instanceId, limit: 5000 });
      assert.equal(whole.executionId, done.executionId);
      assert.equal(whole.from, 0);
      assert.equal(whole.total, whole.events.length);
      assert.equal(whole.total, done.executions[0].eventCount);
      assert.ok(whole.total > 80, `${whole.total} events`);
      const paged: HistoryEvent[] = [];
      for (let from = 0; from < whole.total; from += 25) {
        const page = await client.call('instances.history', { instanceId, from, limit: 25 });
        assert.equal(page.from, from);
        assert.equal(page.total, whole.total);
        assert.ok(page.events.length <= 25);
        paged.push(...page.events);
      }
      assert.deepEqual(paged, whole.events);
      const dflt = await client.call('instances.history', { instanceId });
      assert.equal(dflt.events.length, Math.min(500, whole.total));
      const past = await client.call('instances.history', { instanceId, from: whole.total + 10 });
      assert.deepEqual(past.events, []);
      const byExecution = await client.call('instances.history', { instanceId, executionId: done.executionId, from: 1, limit: 2 });
      assert.deepEqual(byExecution.events, whole.events.slice(1, 3));
      assert.equal(await client.callError('instances.history', { instanceId, executionId: 'nope' }), 'notFound');
      assert.equal(await client.callError('instances.history', { instanceId: 'nobody' }), 'notFound');
    });

    it('continue-as-new: executions oldest first, the history of an older one', async () => {
      const { instanceId } = await client.call('instances.start', { name: 'Counter', input: 0 });
      const done = await waitForStatus(client, instanceId, FINISHED);
      assert.equal(done.output, 3);
      assert.equal(done.executions.length, 4);
      assert.equal(done.executions[3].executionId, done.executionId);
      const first = await client.call('instances.history', { instanceId, executionId: done.executions[0].executionId });
      assert.equal(first.total, done.executions[0].eventCount);
      assert.ok(first.events.some((e) => e.EventType === 16 /* ContinueAsNew */));
    });

    it('status counts instances per runtime status', async () => {
      const status = await client.call('status', {});
      const listed = await client.call('instances.list', { pageSize: 1 });
      const sum = Object.values(status.counts).reduce((a, b) => a + (b ?? 0), 0);
      assert.equal(sum, listed.total);
      const completed = await client.call('instances.list', { filter: { runtimeStatus: ['Completed'] }, pageSize: 1 });
      assert.equal(status.counts.Completed, completed.total);
      assert.ok((status.counts.Completed ?? 0) > 5);
      assert.equal(status.app.state, 'ready');
      assert.equal(status.app.loadError, null);
    });
  });

  describe('pushes', () => {
    it('history pushes of a subscribed instance arrive in order with the right `from`', async () => {
      const watcher = await TestClient.connect(emu);
      const instanceId = `hist-${run}`;
      await watcher.call('subscribe', { topics: ['history'], instanceIds: [instanceId] });
      await client.call('instances.start', { name: 'FanOutFanIn', input: 30, instanceId });
      await waitForStatus(client, instanceId, FINISHED);
      const whole = await client.call('instances.history', { instanceId, limit: 5000 });
      await waitFor(() => {
        const pushes = watcher.pushes.filter((p): p is HistoryPush => p.topic === 'history');
        return pushes.reduce((n, p) => Math.max(n, p.from + p.events.length), 0) >= whole.total;
      }, 'every event to be pushed');
      const pushes = watcher.pushes.filter((p): p is HistoryPush => p.topic === 'history');
      const held: HistoryEvent[] = [];
      for (const p of pushes) {
        assert.equal(p.instanceId, instanceId);
        assert.equal(p.executionId, whole.executionId);
        assert.equal(p.reset, false);
        assert.equal(p.from, held.length, 'each push continues where the last one ended');
        held.push(...p.events);
      }
      assert.deepEqual(held, whole.events);
      // Appends are merged per flush: far fewer pushes than the episodes' appends would be.
      assert.ok(pushes.length < 10, `${pushes.length} history pushes`);
      assert.ok(!watcher.pushes.some((p) => p.topic === 'instances'), 'no instance pushes without that subscription');
      watcher.close();
    });

    it('history of a continue-as-new instance: a reset push starts each new execution at 0', async () => {
      const watcher = await TestClient.connect(emu);
      const instanceId = `hist-can-${run}`;
      await watcher.call('subscribe', { topics: ['history'], instanceIds: [instanceId] });
      await client.call('instances.start', { name: 'Counter', input: 0, instanceId });
      const done = await waitForStatus(client, instanceId, FINISHED);
      const last = await client.call('instances.history', { instanceId });
      await waitFor(
        () => watcher.pushes.some((p) => p.topic === 'history' && p.executionId === done.executionId && p.from + p.events.length >= last.total),
        'the last execution to be pushed',
      );
      const byExecution = new Map<string, HistoryEvent[]>();
      for (const p of watcher.pushes.filter((p): p is HistoryPush => p.topic === 'history')) {
        if (p.reset) byExecution.set(p.executionId, []);
        const held = byExecution.get(p.executionId) ?? [];
        byExecution.set(p.executionId, held);
        assert.equal(p.from, held.length);
        held.push(...p.events);
      }
      assert.deepEqual([...byExecution.keys()], done.executions.map((e) => e.executionId));
      assert.deepEqual(byExecution.get(done.executionId), last.events);
      watcher.close();
    });

    it('a rewind pushes a reset history', async () => {
      const watcher = await TestClient.connect(emu);
      const instanceId = `hist-rewind-${run}`;
      await watcher.call('subscribe', { topics: ['history'], instanceIds: [instanceId] });
      await client.call('instances.start', { name: 'FlakyNoRetry', input: { key: `ws-rewind-push-${run}`, failures: 1 }, instanceId });
      await waitForStatus(client, instanceId, ['Failed']);
      await client.call('instances.rewind', { instanceId });
      await waitForStatus(client, instanceId, ['Completed']);
      const whole = await client.call('instances.history', { instanceId });
      await waitFor(() => watcher.pushes.some((p) => p.topic === 'history' && p.reset), 'a reset push');
      await waitFor(
        () => watcher.pushes.some((p) => p.topic === 'history' && p.from + p.events.length >= whole.total),
        'the rewound history to be pushed',
      );
      let held: HistoryEvent[] = [];
      for (const p of watcher.pushes.filter((p): p is HistoryPush => p.topic === 'history')) {
        if (p.reset) held = held.slice(0, 0);
        assert.equal(p.from, held.length);
        held.push(...p.events);
      }
      assert.deepEqual(held, whole.events);
      watcher.close();
    });

    it('unsubscribe stops pushes', async () => {
      const watcher = await TestClient.connect(emu);
      await watcher.call('subscribe', { topics: ['instances'] });
      const { instanceId } = await client.call('instances.start', { name: 'HelloSequence' });
      await watcher.waitForInstance(instanceId, (s) => s.runtimeStatus === 'Completed');
      await watcher.call('unsubscribe', {});
      const before = watcher.pushes.length;
      const second = await client.call('instances.start', { name: 'HelloSequence' });
      await waitForStatus(client, second.instanceId, FINISHED);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(watcher.pushes.length, before);
      watcher.close();
    });

    it('logs: entries of the app and the host', async () => {
      const watcher = await TestClient.connect(emu);
      await watcher.call('subscribe', { topics: ['logs'] });
      const reply = await httpRequest('GET', `${emu.http}/api/hello/pushes`);
      assert.equal(reply.status, 200);
      const push = await watcher.waitForMessage(
        (m) => m.type === 'push' && m.topic === 'logs' && m.entries.some((e) => e.message.includes('Hello called for pushes')),
      );
      const entry = (push as Extract<PushMessage, { topic: 'logs' }>).entries.find((e) => e.message.includes('Hello called for pushes'))!;
      assert.equal(entry.source, 'Hello');
      assert.equal(entry.level, 'information');
      assert.ok(!Number.isNaN(Date.parse(entry.time)));
      watcher.close();
    });

    it('1,000 quick starts produce far fewer than 1,000 instance pushes, ending with every final state', async () => {
      const watcher = await TestClient.connect(emu);
      await watcher.call('subscribe', { topics: ['instances'] });
      const prefix = `load-${run}-`;
      const began = Date.now();
      const replies = await Promise.all(
        Array.from({ length: 1000 }, (_, i) => client.request('instances.start', { name: 'HelloSequence', instanceId: `${prefix}${i}` })),
      );
      assert.ok(replies.every((r) => r.ok));
      await waitFor(
        () => {
          const latest = watcher.latest();
          let completed = 0;
          for (let i = 0; i < 1000; i++) if (latest.get(`${prefix}${i}`)?.runtimeStatus === 'Completed') completed++;
          return completed === 1000;
        },
        'all 1,000 to be pushed as Completed',
        120_000,
        100,
      );
      const ms = Date.now() - began;
      const pushes = watcher.instancePushes().length;
      console.log(`      1,000 HelloSequences in ${ms} ms: ${pushes} instance pushes`);
      assert.ok(pushes < 1000 / 5, `${pushes} pushes`);
      for (const p of watcher.instancePushes()) {
        assert.ok(p.changed.length + p.removed.length <= 1000);
        assert.equal(new Set(p.changed.map((s) => s.instanceId)).size, p.changed.length, 'an instance at most once per push');
      }
      // At most one push per 100 ms (allowing for timer jitter).
      assert.ok(pushes <= Math.ceil(ms / 100) + 2, `${pushes} pushes in ${ms} ms`);
      const counted = await client.call('instances.list', { filter: { instanceIdPrefix: prefix, runtimeStatus: ['Completed'] }, pageSize: 1 });
      assert.equal(counted.total, 1000);
      watcher.close();
    });

    it('worker: exited, then ready and restarted, when an activity kills the worker', async () => {
      const watcher = await TestClient.connect(emu);
      await watcher.call('subscribe', { topics: ['worker'] });
      const { instanceId } = await client.call('instances.start', { name: 'ExitActivity' });
      await watcher.waitForMessage((m) => m.type === 'push' && m.topic === 'worker' && m.event === 'exited');
      const restarted = (await watcher.waitForMessage((m) => m.type === 'push' && m.topic === 'worker' && m.event === 'restarted')) as Extract<
        PushMessage,
        { topic: 'worker' }
      >;
      assert.ok(restarted.functions?.some((f) => f.name === 'HelloSequence'));
      const events = watcher.pushes.filter((p) => p.topic === 'worker').map((p) => (p as { event: string }).event);
      assert.deepEqual(events.slice(0, 3), ['exited', 'ready', 'restarted']);
      const exited = watcher.pushes.find((p) => p.topic === 'worker' && p.event === 'exited') as { message: string };
      assert.match(exited.message, /exited with code 3/);
      // The activity crashes the worker on each of its 3 attempts; each restart reloads the app.
      assert.equal((await waitForStatus(client, instanceId, FINISHED, 110_000)).runtimeStatus, 'Failed');
      const status = await client.call('status', {});
      assert.equal(status.app.state, 'ready');
      watcher.close();
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
