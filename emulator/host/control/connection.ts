/**
 * One client of the control channel: its requests, its subscriptions, and what is waiting to be pushed
 * to it. Pushes are coalesced per flush (the server flushes at most every 100 ms); a client that reads
 * too slowly (the socket's send buffer past the high-water mark) has its pushes dropped and, once it
 * has caught up, gets one message per topic telling it to resync.
 */
import { WebSocket } from 'ws';
import type { HistoryEvent } from '../../protocol/durable';
import type { ErrorCode, HostMessage, InstanceSummary, LogEntry, Method, PushMessage, ResponseMessage, Topic } from '../../protocol/control';
import { MAX_JSON_DEPTH, jsonTextProblem } from '../jsonLimits';
import { stringifyWithRaw } from '../rawJson';
import { ControlError } from '../runtime/instanceControl';
import type { HistoryChange } from '../runtime/orchestrationService';
import type { Store } from '../storage/store';
import { HANDLERS, MethodContext, codeOfStatus } from './methods';
import { EnvelopeError, MAX_WATCHED_INSTANCES, ParamError, isMethod, parseEnvelope, validateParams } from './validate';

/** Requests of one connection processed at once (the others wait in its queue). */
const MAX_CONCURRENT_REQUESTS = 16;
/** Queued requests (or their bytes) past which the connection stops reading its socket (TCP pushes back on the client). */
const MAX_QUEUED_REQUESTS = 256;
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

export interface ConnectionLimits {
  /** Largest request processed; larger ones (up to the socket's hard limit) get a badMessage error. */
  maxMessageBytes: number;
  /** Instance changes in one push; the rest wait for the next flush. */
  maxChangesPerPush: number;
  /** Send-buffer size past which pushes are dropped. */
  highWaterBytes: number;
  /** Send-buffer size under which a client that fell behind is told to resync. */
  lowWaterBytes: number;
}

interface Segment {
  executionId: string;
  from: number;
  events: HistoryEvent[];
  reset: boolean;
}

/** History not pushed while the client was behind: where it started and whether it was rewritten. */
interface Gap {
  executionId: string | null;
  reset: boolean;
}

export interface ConnectionHost {
  readonly limits: ConnectionLimits;
  readonly store: Store;
  readonly methods: MethodContext;
  /** Subscriptions changed: the server recomputes what it must collect. */
  subscriptionsChanged(): void;
  logError(message: string): void;
}

export class Connection {
  readonly topics = new Set<Topic>();
  /** Instances whose history is pushed → the execution the client was last told about (null: none yet). */
  readonly watched = new Map<string, string | null>();
  private readonly history = new Map<string, Segment[]>();
  /** Instance changes beyond one push's cap, in order; null marks a removal. */
  private readonly backlog = new Map<string, InstanceSummary | null>();
  private behind: { instances: number; logs: number; gaps: Map<string, Gap> } | null = null;
  private readonly queue: Array<{ data: Buffer; isBinary: boolean }> = [];
  private queuedBytes = 0;
  private running = 0;
  /** Characters handed to the socket and not yet written out. */
  private unflushed = 0;
  private waitingForDrain = false;

  constructor(
    readonly ws: WebSocket,
    private readonly host: ConnectionHost,
  ) {}

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Never throws: a message that cannot be serialised is logged (a bug), and a response is replaced by an
   * error response, so that every request is answered. Responses may carry stored JSON text (RawJson).
   */
  send(message: HostMessage): void {
    if (!this.open) return;
    let text: string;
    try {
      text = message.type === 'response' ? stringifyWithRaw(message) : JSON.stringify(message);
    } catch (error) {
      this.host.logError(`control: cannot send a ${message.type}: ${(error as Error).stack ?? error}`);
      if (message.type !== 'response' || !message.ok) return;
      const reason = `The result cannot be sent: ${(error as Error).message}`;
      return this.send({ type: 'response', id: message.id, ok: false, error: { code: 'internal', message: reason } });
    }
    this.unflushed += text.length;
    this.ws.send(text, () => {
      this.unflushed -= text.length;
      if (this.waitingForDrain && this.unflushed <= this.host.limits.lowWaterBytes) this.pump();
    });
  }

  /** A frame from the client: queued, and processed once fewer requests are in flight and replies have drained. */
  receive(data: Buffer, isBinary: boolean): void {
    this.queue.push({ data, isBinary });
    this.queuedBytes += data.length;
    if ((this.queue.length >= MAX_QUEUED_REQUESTS || this.queuedBytes >= MAX_QUEUED_BYTES) && !this.ws.isPaused) this.ws.pause();
    this.pump();
  }

  /**
   * Starts queued requests, each in a task of its own (so one reply is serialised and handed to the
   * socket before the next request builds its own), while fewer than MAX_CONCURRENT_REQUESTS run and
   * the replies not yet written stay under the high-water mark.
   */
  private pump(): void {
    this.waitingForDrain = this.unflushed > this.host.limits.highWaterBytes;
    while (!this.waitingForDrain && this.running < MAX_CONCURRENT_REQUESTS && this.queue.length) {
      const { data, isBinary } = this.queue.shift()!;
      this.queuedBytes -= data.length;
      this.running++;
      setImmediate(() =>
        void this.onMessage(data, isBinary).finally(() => {
          this.running--;
          this.pump();
        }),
      );
      this.waitingForDrain = this.unflushed > this.host.limits.highWaterBytes;
    }
    if (this.ws.isPaused && this.queue.length < MAX_QUEUED_REQUESTS / 2 && this.queuedBytes < MAX_QUEUED_BYTES / 2) this.ws.resume();
  }

  /** Handles one frame; never throws and never closes the connection. */
  async onMessage(data: Buffer, isBinary: boolean): Promise<void> {
    let id: number | null = null;
    let method = '';
    try {
      if (isBinary) throw new EnvelopeError('Send requests as text frames of JSON, not binary frames.');
      if (data.length > this.host.limits.maxMessageBytes) {
        throw new EnvelopeError(`The message is ${data.length} bytes; the limit is ${this.host.limits.maxMessageBytes}.`);
      }
      const text = data.toString('utf8');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new EnvelopeError(`The message is not valid JSON: ${(error as Error).message}`);
      }
      const envelope = parseEnvelope(parsed);
      id = envelope.id;
      method = envelope.method;
      // The envelope and params add two levels around a payload (input, data).
      const problem = jsonTextProblem(text, MAX_JSON_DEPTH + 2);
      if (problem) throw new ParamError(`The request cannot be accepted: ${problem} (payloads may nest ${MAX_JSON_DEPTH} levels).`);
      if (!isMethod(method)) {
        return this.reply({ type: 'response', id, ok: false, error: { code: 'unknownMethod', message: `Unknown method '${method}'.` } });
      }
      const params = validateParams(method, envelope.params);
      const result = await this.call(method, params);
      this.reply({ type: 'response', id, ok: true, result } as ResponseMessage);
    } catch (error) {
      if (error instanceof EnvelopeError && error.id !== null) id = error.id;
      this.reply({ type: 'response', id, ok: false, error: this.errorOf(error, method) });
    }
  }

  private reply(message: ResponseMessage): void {
    this.send(message);
  }

  private errorOf(error: unknown, method: string): { code: ErrorCode; message: string } {
    if (error instanceof EnvelopeError) return { code: 'badMessage', message: error.message };
    if (error instanceof ParamError) return { code: 'invalidParams', message: error.message };
    if (error instanceof ControlError) {
      const code = codeOfStatus(error.status);
      if (code === 'internal') this.host.logError(`control: ${method} failed: ${error.stack ?? error.message}`);
      return { code, message: error.message };
    }
    const e = error instanceof Error ? error : new Error(String(error));
    this.host.logError(`control: ${method || 'a request'} failed: ${e.stack ?? e.message}`);
    return { code: 'internal', message: `Internal error: ${e.message}` };
  }

  private async call(method: Method, params: unknown): Promise<unknown> {
    switch (method) {
      case 'subscribe':
        return this.subscribe(params as { topics: Topic[]; instanceIds?: string[] });
      case 'unsubscribe':
        return this.unsubscribe(params as { topics?: Topic[]; instanceIds?: string[] });
      default: {
        const handler = HANDLERS[method] as (ctx: MethodContext, p: unknown) => unknown;
        return handler(this.host.methods, params);
      }
    }
  }

  private subscribe(p: { topics: Topic[]; instanceIds?: string[] }): { ok: true } {
    const ids = (p.instanceIds ?? []).filter((id) => !this.watched.has(id));
    if (this.watched.size + ids.length > MAX_WATCHED_INSTANCES) {
      throw new ParamError(`A connection can watch the history of at most ${MAX_WATCHED_INSTANCES} instances.`);
    }
    for (const topic of p.topics) this.topics.add(topic);
    for (const id of ids) this.watched.set(id, this.host.store.getInstance(id)?.executionId ?? null);
    this.host.subscriptionsChanged();
    return { ok: true };
  }

  private unsubscribe(p: { topics?: Topic[]; instanceIds?: string[] }): { ok: true } {
    const everything = !p.topics && !p.instanceIds;
    for (const topic of everything ? [...this.topics] : p.topics ?? []) {
      this.topics.delete(topic);
      if (topic === 'instances') this.backlog.clear();
      if (topic === 'history') this.unwatch([...this.watched.keys()]);
    }
    this.unwatch(p.instanceIds ?? []);
    this.host.subscriptionsChanged();
    return { ok: true };
  }

  private unwatch(ids: string[]): void {
    for (const id of ids) {
      this.watched.delete(id);
      this.history.delete(id);
      this.behind?.gaps.delete(id);
    }
  }

  /** Whether this client wants the history of `instanceId`. */
  watches(instanceId: string): boolean {
    return this.topics.has('history') && this.watched.has(instanceId);
  }

  /** Collects a history change of a watched instance until the next flush; consecutive appends merge. */
  addHistory(change: HistoryChange): void {
    const id = change.instanceId;
    const known = this.watched.get(id) ?? null;
    this.watched.set(id, change.executionId);
    if (this.behind) {
      const gap = this.behind.gaps.get(id);
      if (!gap) this.behind.gaps.set(id, { executionId: known, reset: change.reset || (known !== null && known !== change.executionId) });
      else if (change.reset || gap.executionId !== change.executionId) gap.reset = true;
      return;
    }
    let segments = this.history.get(id);
    if (!segments) this.history.set(id, (segments = []));
    if (change.reset) {
      // The whole history was rewritten: what was waiting is superseded.
      segments.length = 0;
      segments.push({ executionId: change.executionId, from: change.from, events: change.events.slice(), reset: true });
      return;
    }
    const last = segments[segments.length - 1];
    if (last && last.executionId === change.executionId && last.from + last.events.length === change.from) {
      for (const event of change.events) last.events.push(event);
      return;
    }
    // A new execution (continue-as-new, restart) replaces what the client holds.
    const reset = known !== null && known !== change.executionId;
    segments.push({ executionId: change.executionId, from: change.from, events: change.events.slice(), reset });
  }

  /**
   * Sends what was collected since the last flush. `changed` and `removed` are shared by every connection
   * and not modified. Returns true when something is left for a later flush.
   */
  flush(changed: ReadonlyMap<string, InstanceSummary>, removed: readonly string[], logs: readonly LogEntry[]): boolean {
    if (!this.open) return false;
    const wantsInstances = this.topics.has('instances');
    const wantsLogs = this.topics.has('logs');
    const buffered = this.ws.bufferedAmount;
    if (!this.behind && buffered > this.host.limits.highWaterBytes) this.fallBehind();
    if (this.behind) {
      if (buffered > this.host.limits.lowWaterBytes) {
        if (wantsInstances) this.behind.instances += changed.size + removed.length;
        if (wantsLogs) this.behind.logs += logs.length;
        return true;
      }
      this.catchUp();
    }
    let more = false;
    if (wantsInstances) more = this.flushInstances(changed, removed);
    for (const [instanceId, segments] of this.history) {
      for (const s of segments) this.push({ type: 'push', topic: 'history', instanceId, executionId: s.executionId, from: s.from, events: s.events, reset: s.reset });
    }
    this.history.clear();
    if (wantsLogs && logs.length) this.push({ type: 'push', topic: 'logs', entries: logs as LogEntry[] });
    return more;
  }

  private flushInstances(changed: ReadonlyMap<string, InstanceSummary>, removed: readonly string[]): boolean {
    const cap = this.host.limits.maxChangesPerPush;
    if (!this.backlog.size && changed.size + removed.length <= cap) {
      if (changed.size || removed.length) this.push({ type: 'push', topic: 'instances', changed: [...changed.values()], removed: removed.slice() });
      return false;
    }
    for (const id of removed) {
      this.backlog.delete(id);
      this.backlog.set(id, null);
    }
    for (const [id, summary] of changed) this.backlog.set(id, summary);
    const out: InstanceSummary[] = [];
    const gone: string[] = [];
    for (const [id, summary] of this.backlog) {
      if (out.length + gone.length >= cap) break;
      if (summary) out.push(summary);
      else gone.push(id);
      this.backlog.delete(id);
    }
    this.push({ type: 'push', topic: 'instances', changed: out, removed: gone });
    return this.backlog.size > 0;
  }

  /** A worker event: rare and small, sent at once to subscribers. */
  pushNow(message: PushMessage): void {
    if (this.topics.has(message.topic)) this.push(message);
  }

  private push(message: PushMessage): void {
    this.send(message);
  }

  private fallBehind(): void {
    const gaps = new Map<string, Gap>();
    for (const [id, segments] of this.history) {
      const first = segments[0];
      // What the client was told last is the execution before the first dropped segment.
      gaps.set(id, { executionId: first.reset ? null : first.executionId, reset: segments.some((s) => s.reset) });
    }
    this.history.clear();
    this.behind = { instances: this.backlog.size, logs: 0, gaps };
    this.backlog.clear();
  }

  /** The client has read what was queued: one message per topic tells it what it missed. */
  private catchUp(): void {
    const behind = this.behind!;
    this.behind = null;
    if (this.topics.has('instances') && behind.instances) {
      this.push({ type: 'push', topic: 'instances', changed: [], removed: [], dropped: behind.instances });
    }
    for (const [instanceId, gap] of behind.gaps) {
      if (!this.watches(instanceId)) continue;
      const row = this.host.store.getInstance(instanceId);
      if (!row) continue;
      const from = this.host.store.historyLength(instanceId, row.executionId);
      const reset = gap.reset || gap.executionId !== row.executionId;
      this.watched.set(instanceId, row.executionId);
      this.push({ type: 'push', topic: 'history', instanceId, executionId: row.executionId, from, events: [], reset });
    }
    if (this.topics.has('logs') && behind.logs) {
      this.push({
        type: 'push',
        topic: 'logs',
        entries: [{ time: new Date().toISOString(), level: 'warning', source: 'host', message: `${behind.logs} log entries were not sent: the connection fell behind.` }],
      });
    }
  }
}
