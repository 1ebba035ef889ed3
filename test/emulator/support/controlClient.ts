/**
 * The shared control client (emulator/client/controlClient.ts) for the tests: every host message kept, raw
 * frames for the protocol's error paths, and helpers that wait on instances through it.
 */
import * as assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ControlClient, ControlError } from '../../../emulator/client/controlClient';
import type { HelloMessage, HostMessage, InstanceSummary, Method, Params, PushMessage, ResponseMessage, Result } from '../../../emulator/protocol/control';
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

/** Every host message is kept (the hello first), with the arrival time of each push. */
export class TestClient {
  readonly messages: HostMessage[];
  readonly pushes: PushMessage[] = [];
  /** Arrival time (ms) of each push, same index as `pushes`. */
  readonly pushTimes: number[] = [];
  private readonly waiters = new Set<() => void>();
  private nextRawId = 1_000_000;
  closeCode: number | null = null;

  private constructor(readonly client: ControlClient) {
    this.messages = [client.helloMessage];
    client.on('message', (message: HostMessage) => {
      this.messages.push(message);
      if (message.type === 'push') {
        this.pushes.push(message);
        this.pushTimes.push(performance.now());
      }
      this.wake();
    });
    client.onClose((code) => {
      this.closeCode = code ?? 1006;
      this.wake();
    });
  }

  /** `header`: the token in an Authorization header only (default: the query parameter only). */
  static async connect(emu: RunningEmulator, options: { header?: boolean } = {}): Promise<TestClient> {
    return new TestClient(await ControlClient.connect(emu.ws, emu.token, { tokenIn: options.header ? 'header' : 'query' }));
  }

  get hello(): HelloMessage {
    return this.client.helloMessage;
  }

  /** The connection itself, to send frames the client would not. */
  get ws(): WebSocket {
    return this.client.socket;
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
    return (await this.waitForMessage((m) => m.type === 'response' && m.id === id, 60_000, start)) as ResponseMessage;
  }

  /** The response as the host sent it, error or not (ids of its own, far from the client's). */
  async request<M extends Method>(method: M, params: Params<M>): Promise<ResponseMessage<M>> {
    const id = this.nextRawId++;
    return (await this.raw(JSON.stringify({ type: 'request', id, method, params }), id)) as ResponseMessage<M>;
  }

  async call<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
    try {
      return await this.client.request(method, params, 60_000);
    } catch (error) {
      if (error instanceof ControlError) throw new CallError(error.code, error.message);
      throw error;
    }
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
    this.client.close();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
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
