/**
 * WebSocket client of the emulator's control protocol (emulator/protocol/control.ts): requests with
 * ids, their responses, pushed notifications. Knows nothing about VS Code so that it stays testable.
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
} from '../../emulator/protocol/control';

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

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class ControlClient extends EventEmitter {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  private constructor(
    private readonly socket: WebSocket,
    /** The status the host sent in its hello. */
    readonly hello: EmulatorStatus,
  ) {
    super();
    socket.on('message', (data) => this.receive(data.toString()));
    socket.on('close', () => this.onClosed());
    socket.on('error', () => this.onClosed());
  }

  /** Connects and waits for the host's hello; rejects on a wrong token, a protocol mismatch or a timeout. */
  static connect(wsUrl: string, token: string, timeoutMs = 10_000): Promise<ControlClient> {
    const url = new URL(wsUrl);
    url.searchParams.set('token', token);
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, maxPayload: 64 * 1024 * 1024 });
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
          return fail(`The emulator speaks control protocol ${hello.protocolVersion}; this extension speaks ${CONTROL_PROTOCOL_VERSION}.`);
        }
        clearTimeout(timer);
        socket.removeAllListeners();
        resolve(new ControlClient(socket, hello.status));
      });
    });
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

  onClose(listener: () => void): () => void {
    this.on('close', listener);
    return () => this.off('close', listener);
  }

  close(): void {
    if (this.closed) return;
    this.socket.close();
    this.onClosed();
  }

  private receive(text: string): void {
    let message: HostMessage;
    try {
      message = JSON.parse(text) as HostMessage;
    } catch {
      return; // The host only sends JSON; ignore rather than drop the session.
    }
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

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, new ControlError('disconnected', 'The connection to the emulator closed.'));
    this.emit('close');
  }
}
