/** A client of the control channel for the tests, and helpers that wait on instances through it. */
import * as assert from 'node:assert/strict';
import WebSocket from 'ws';
import {
  HelloMessage,
  HostMessage,
  InstanceSummary,
  Method,
  Params,
  PushMessage,
  ResponseMessage,
  Result,
} from '../../../emulator/protocol/control';
import { RunningEmulator, fixtureApp, startEmulator } from './emulatorProcess';
import { waitFor } from './httpClient';

export type InstancesPush = Extract<PushMessage, { topic: 'instances' }>;
export type HistoryPush = Extract<PushMessage, { topic: 'history' }>;

export class CallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** A bare client: every host message is kept, requests are correlated by id. */
export class TestClient {
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

export const FINISHED = ['Completed', 'Failed', 'Terminated'];
export const run = Date.now().toString(36);

/** Polls instances.get until the predicate holds. */
export function waitForDetail(client: TestClient, instanceId: string, predicate: (d: Result<'instances.get'>) => boolean, what: string, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const d = await client.call('instances.get', { instanceId });
      return predicate(d) ? d : undefined;
    },
    `${instanceId} ${what}`,
    timeoutMs,
  );
}

export function waitForStatus(client: TestClient, instanceId: string, statuses: string[], timeoutMs = 30_000) {
  return waitForDetail(client, instanceId, (d) => statuses.includes(d.runtimeStatus), `to be ${statuses.join('/')}`, timeoutMs);
}

/** Opens a WebSocket and resolves with the HTTP status of the refusal, or 101 when it was accepted. */
export function upgradeStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
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

/** An emulator on the scenarios fixture and a connected client for the enclosing describe block. */
export function useControlClient(set: (emu: RunningEmulator, client: TestClient) => void): void {
  let emu: RunningEmulator | undefined;
  let client: TestClient | undefined;
  before(async () => {
    emu = await startEmulator({ app: fixtureApp('scenarios') });
    client = await TestClient.connect(emu);
    set(emu, client);
  });
  after(async () => {
    client?.close();
    await emu?.stop();
  });
}
