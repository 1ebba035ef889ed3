/**
 * WebSocket client of the emulator's control protocol (emulator/protocol/control.ts): requests with ids,
 * their responses, pushed notifications. The one client of the extension, the tests and the benchmarks.
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import {
  CONTROL_PROTOCOL_VERSION,
  type EmulatorStatus,
  type ErrorCode,
  type HostMessage,
  type Method,
  type Params,
  type PushMessage,
  type Result,
} from '../protocol/control';

/** An error answered by the emulator (or a lost connection); `message` is meant for people. */
export class ControlError extends Error {
  constructor(
    readonly code: ErrorCode | 'disconnected' | 'timeout',
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export interface ConnectOptions {
  /** How long to wait for the host's hello. Default 10 s. */
  timeoutMs?: number;
  /** Where the token goes: the `token` query parameter, an `Authorization: Bearer` header, or both (default). */
  tokenIn?: 'query' | 'header' | 'both';
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** Largest message accepted from the host: history pages and instance lists can be large. */
const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

/** Events: 'push' (PushMessage), 'message' (every HostMessage after the hello), 'close' (code). */
export class ControlClient extends EventEmitter {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  private constructor(
    /** The connection itself, for tests that send frames the protocol does not allow. */
    readonly socket: WebSocket,
    /** The hello the host sent. */
    readonly helloMessage: Extract<HostMessage, { type: 'hello' }>,
  ) {
    super();
    socket.on('message', (data) => this.receive(data.toString()));
    socket.on('close', (code) => this.onClosed(code));
    // ws follows every 'error' with a 'close'.
    socket.on('error', () => undefined);
  }

  /** Connects and waits for the host's hello; rejects on a wrong token, a protocol mismatch or a timeout. */
  static connect(wsUrl: string, token: string, options: ConnectOptions = {}): Promise<ControlClient> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const tokenIn = options.tokenIn ?? 'both';
    const url = new URL(wsUrl);
    if (tokenIn !== 'header') url.searchParams.set('token', token);
    const headers: Record<string, string> = tokenIn === 'query' ? {} : { authorization: `Bearer ${token}` };
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers, maxPayload: MAX_PAYLOAD_BYTES });
      const fail = (message: string) => {
        clearTimeout(timer);
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.terminate();
        reject(new ControlError('disconnected', message));
      };
      const timer = setTimeout(() => fail(`No answer from the emulator at ${wsUrl} within ${timeoutMs} ms.`), timeoutMs);
      socket.once('unexpected-response', (_req, res) => fail(`The emulator refused the connection (HTTP ${res.statusCode}).`));
      socket.once('error', (error) => fail(`Cannot connect to the emulator at ${wsUrl}: ${error.message}`));
      socket.once('close', () => fail('The emulator closed the connection before saying hello.'));
      socket.once('message', (data) => {
        let hello: HostMessage;
        try {
          hello = JSON.parse(data.toString()) as HostMessage;
        } catch {
          return fail('The emulator sent a malformed hello.');
        }
        if (hello.type !== 'hello') return fail(`Expected a hello from the emulator, got '${hello.type}'.`);
        if (hello.protocolVersion !== CONTROL_PROTOCOL_VERSION) {
          return fail(`The emulator speaks control protocol ${hello.protocolVersion}; this client speaks ${CONTROL_PROTOCOL_VERSION}.`);
        }
        clearTimeout(timer);
        socket.removeAllListeners();
        resolve(new ControlClient(socket, hello));
      });
    });
  }

  /** The status the host sent in its hello (counts are as of the connection). */
  get hello(): EmulatorStatus {
    return this.helloMessage.status;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  request<M extends Method>(method: M, params: Params<M>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Result<M>> {
    if (this.closed) return Promise.reject(new ControlError('disconnected', 'The emulator is not connected.'));
    const id = this.nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ControlError('timeout', `The emulator did not answer '${method}' within ${timeoutMs / 1000} s.`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.socket.send(JSON.stringify({ type: 'request', id, method, params }), (error) => {
        if (error) this.settle(id, new ControlError('disconnected', `Cannot send to the emulator: ${error.message}`));
      });
    });
  }

  onPush(listener: (message: PushMessage) => void): () => void {
    this.on('push', listener);
    return () => this.off('push', listener);
  }

  /** `code` is the WebSocket close code (null when the connection failed). */
  onClose(listener: (code: number | null) => void): () => void {
    this.on('close', listener);
    return () => this.off('close', listener);
  }

  close(): void {
    if (this.closed) return;
    this.socket.close();
    this.onClosed(null);
  }

  private receive(text: string): void {
    let message: HostMessage;
    try {
      message = JSON.parse(text) as HostMessage;
    } catch {
      return; // The host only sends JSON; ignore rather than drop the session.
    }
    this.emit('message', message);
    if (message.type === 'push') {
      this.emit('push', message);
    } else if (message.type === 'response' && message.id !== null) {
      if (message.ok) this.settle(message.id, undefined, message.result);
      else this.settle(message.id, new ControlError(message.error.code, message.error.message));
    }
  }

  private settle(id: number, error?: Error, result?: unknown): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(result);
  }

  private onClosed(code: number | null): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, new ControlError('disconnected', 'The connection to the emulator closed.'));
    this.emit('close', code);
  }
}
