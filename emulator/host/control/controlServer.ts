/**
 * The WebSocket control channel (docs/protocol.md): CONTROL_PATH on the emulator's HTTP port, for the
 * editor extension. Authenticates upgrades with the emulator's token, answers requests (methods.ts), and
 * pushes coalesced changes of instances, watched histories, logs and the worker to subscribers.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import {
  CONTROL_PATH,
  CONTROL_PROTOCOL_VERSION,
  EmulatorStatus,
  InstanceSummary,
  LogEntry,
  MAX_CONTROL_MESSAGE_BYTES,
  PushMessage,
} from '../../protocol/control';
import type { FunctionInfo } from '../../protocol/worker';
import type { Logger, LogEntry as HostLogEntry } from '../logger';
import type { InstanceControl } from '../runtime/instanceControl';
import type { HistoryChange, OrchestrationService } from '../runtime/orchestrationService';
import type { WorkerProcess } from '../runtime/workerProcess';
import type { InstanceRow, Store } from '../storage/store';
import { answerRaw } from '../http/connectionLimits';
import { Connection, ConnectionHost, ConnectionLimits } from './connection';
import { MethodContext, countsByStatus } from './methods';
import { summaryOf } from './summaries';

export interface ControlServerOptions {
  token: string;
  store: Store;
  service: OrchestrationService;
  control: InstanceControl;
  worker: WorkerProcess;
  logger: Logger;
  /** Facts of the running emulator for `status` (the HTTP URL is known only once it listens). */
  info: () => { http: string; dataDir: string; appDir: string; hubName: string; routePrefix: string };
  /** Least time between two flushes of pushes. Default 100 ms. */
  flushIntervalMs?: number;
  limits?: Partial<ConnectionLimits>;
}

/**
 * Frames larger than this close the connection (1009): the socket must not buffer without bound. Between
 * MAX_CONTROL_MESSAGE_BYTES and this, a request is refused with a badMessage error and the connection
 * stays usable.
 */
export const HARD_MESSAGE_LIMIT = 4 * MAX_CONTROL_MESSAGE_BYTES;
/** Log entries kept between two flushes; older ones are dropped (and counted) past it. */
const MAX_PENDING_LOGS = 2000;

const DEFAULT_LIMITS: ConnectionLimits = {
  maxMessageBytes: MAX_CONTROL_MESSAGE_BYTES,
  maxChangesPerPush: 1000,
  highWaterBytes: 4 * 1024 * 1024,
  lowWaterBytes: 1024 * 1024,
};

export class ControlServer implements ConnectionHost {
  readonly limits: ConnectionLimits;
  readonly store: Store;
  readonly methods: MethodContext;
  readonly startedAt = new Date().toISOString();
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private readonly flushIntervalMs: number;
  private readonly detach: Array<() => void> = [];
  /** Latest row of each instance changed since the last flush, and the instances purged. */
  private readonly changedRows = new Map<string, InstanceRow>();
  private readonly removed = new Set<string>();
  private logs: LogEntry[] = [];
  private logsDropped = 0;
  private collectInstances = false;
  private collectLogs = false;
  private collectHistory = false;
  private flushTimer: NodeJS.Timeout | null = null;
  private lastFlush = 0;
  private closed = false;

  constructor(private readonly options: ControlServerOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.store = options.store;
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MESSAGE_LIMIT, perMessageDeflate: false });
    this.methods = {
      store: options.store,
      control: options.control,
      worker: options.worker,
      status: () => this.status(),
    };
    this.listen(options.service, 'purged', (ids: string[]) => this.onPurged(ids));
    this.listen(options.service, 'instance', (row: InstanceRow) => this.onInstance(row));
    this.listen(options.service, 'history', (change: HistoryChange) => this.onHistory(change));
    this.listen(options.logger, 'entry', (entry: HostLogEntry) => this.onLog(entry));
    const worker = options.worker;
    this.listen(worker, 'ready', (functions: FunctionInfo[]) =>
      this.pushWorker({ type: 'push', topic: 'worker', event: 'ready', message: `The app loaded with ${functions.length} functions.`, functions }),
    );
    this.listen(worker, 'loadError', (error: { message: string; file?: string }) =>
      this.pushWorker({ type: 'push', topic: 'worker', event: 'loadFailed', message: error.file ? `${error.message} (${error.file})` : error.message }),
    );
    this.listen(worker, 'restarted', (reason: string) =>
      this.pushWorker({ type: 'push', topic: 'worker', event: 'restarted', message: `The worker was restarted: ${reason}`, functions: worker.functions }),
    );
    this.listen(worker, 'exit', (exit: { code: number | null; signal: string | null; running: string[] }) => {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      const during = exit.running.length ? ` while running ${exit.running.join(', ')}` : '';
      this.pushWorker({ type: 'push', topic: 'worker', event: 'exited', message: `The worker process ${how}${during}.` });
    });
  }

  /** For the HTTP server's `onUpgrade`: the URL is parsed and Host and Origin are checked; this checks path and token. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    if (url.pathname !== CONTROL_PATH) return answerRaw(socket, 404, `No WebSocket endpoint at ${url.pathname}; use ${CONTROL_PATH}.`);
    if (!this.authorized(req, url)) {
      return answerRaw(socket, 401, 'The emulator token is required: ?token=<token> or Authorization: Bearer <token>.', 'WWW-Authenticate: Bearer\r\n');
    }
    if (this.closed) return answerRaw(socket, 503, 'The emulator is stopping.');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  /** Closes every connection (1001) and stops listening to the emulator. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    for (const off of this.detach.splice(0)) off();
    const sockets = [...this.connections].map((c) => c.ws);
    await Promise.all(
      sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            const timer = setTimeout(() => {
              ws.terminate();
              resolve();
            }, 1000);
            ws.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            ws.close(1001, 'The emulator is stopping.');
          }),
      ),
    );
    this.connections.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  status(): EmulatorStatus {
    const info = this.options.info();
    const worker = this.options.worker;
    return {
      protocolVersion: CONTROL_PROTOCOL_VERSION,
      pid: process.pid,
      http: info.http,
      dataDir: info.dataDir,
      startedAt: this.startedAt,
      app: {
        dir: info.appDir,
        hubName: info.hubName,
        routePrefix: info.routePrefix,
        state: worker.state,
        loadError: worker.loadError?.message ?? null,
        workerPid: worker.pid ?? null,
      },
      counts: countsByStatus(this.store),
    };
  }

  subscriptionsChanged(): void {
    const all = [...this.connections];
    this.collectInstances = all.some((c) => c.topics.has('instances'));
    this.collectLogs = all.some((c) => c.topics.has('logs'));
    this.collectHistory = all.some((c) => c.topics.has('history') && c.watched.size > 0);
    if (!this.collectInstances) {
      this.changedRows.clear();
      this.removed.clear();
    }
    if (!this.collectLogs) this.logs = [];
  }

  logError(message: string): void {
    this.options.logger.error(message);
  }

  private listen(emitter: NodeJS.EventEmitter, event: string, listener: (...args: any[]) => void): void {
    emitter.on(event, listener);
    this.detach.push(() => emitter.off(event, listener));
  }

  private authorized(req: IncomingMessage, url: URL): boolean {
    const header = req.headers.authorization;
    const bearer = typeof header === 'string' && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '').trim() : undefined;
    const given = url.searchParams.get('token') ?? bearer;
    if (!given) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(this.options.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private onConnection(ws: WebSocket): void {
    if (this.closed) return ws.terminate();
    const connection = new Connection(ws, this);
    this.connections.add(connection);
    ws.on('message', (data, isBinary) => {
      const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      connection.receive(buffer, isBinary);
    });
    ws.on('error', () => undefined); // e.g. a frame past HARD_MESSAGE_LIMIT: ws closes with 1009
    ws.on('close', () => {
      this.connections.delete(connection);
      this.subscriptionsChanged();
    });
    try {
      connection.send({ type: 'hello', protocolVersion: CONTROL_PROTOCOL_VERSION, status: this.status() });
    } catch (error) {
      this.logError(`control: cannot greet a client: ${(error as Error).stack ?? error}`);
      ws.close(1011, 'Internal error');
    }
  }

  private onInstance(row: InstanceRow): void {
    if (!this.collectInstances) return;
    this.removed.delete(row.instanceId);
    this.changedRows.delete(row.instanceId); // keeps the map in order of the latest change
    this.changedRows.set(row.instanceId, row);
    this.scheduleFlush();
  }

  private onPurged(ids: string[]): void {
    if (!this.collectInstances || !ids.length) return;
    for (const id of ids) {
      this.changedRows.delete(id);
      this.removed.add(id);
    }
    this.scheduleFlush();
  }

  private onHistory(change: HistoryChange): void {
    if (!this.collectHistory) return;
    let any = false;
    for (const c of this.connections) {
      if (c.watches(change.instanceId)) {
        c.addHistory(change);
        any = true;
      }
    }
    if (any) this.scheduleFlush();
  }

  private onLog(entry: HostLogEntry): void {
    if (!this.collectLogs) return;
    this.logs.push({ time: new Date(entry.time).toISOString(), level: entry.level, source: entry.source, message: entry.message });
    if (this.logs.length > MAX_PENDING_LOGS) {
      const excess = this.logs.length - MAX_PENDING_LOGS;
      this.logs.splice(0, excess);
      this.logsDropped += excess;
    }
    this.scheduleFlush();
  }

  private pushWorker(message: PushMessage): void {
    for (const c of this.connections) c.pushNow(message);
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.closed) return;
    const delay = Math.max(0, this.lastFlush + this.flushIntervalMs - Date.now());
    this.flushTimer = setTimeout(() => this.flush(), delay);
    this.flushTimer.unref();
  }

  private flush(): void {
    this.flushTimer = null;
    this.lastFlush = Date.now();
    const changed = new Map<string, InstanceSummary>();
    for (const [id, row] of this.changedRows) changed.set(id, summaryOf(row));
    this.changedRows.clear();
    const removed = [...this.removed];
    this.removed.clear();
    const logs = this.logs;
    this.logs = [];
    if (this.logsDropped) {
      logs.unshift({ time: new Date().toISOString(), level: 'warning', source: 'host', message: `${this.logsDropped} earlier log entries were dropped: too many to push.` });
      this.logsDropped = 0;
    }
    let again = false;
    for (const c of this.connections) {
      try {
        again = c.flush(changed, removed, logs) || again;
      } catch (error) {
        this.logError(`control: a push failed: ${(error as Error).stack ?? error}`);
      }
    }
    if (again) this.scheduleFlush();
  }
}
