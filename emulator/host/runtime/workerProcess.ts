/**
 * The host's side of one app worker process: forks it, correlates invocations with results,
 * enforces the function timeout, and survives the worker hanging, crashing or failing to load
 * (user code never runs in the host).
 */
import { ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { FunctionInfo, HostMessage, Invocation, InvocationDraft, InvocationValue, LogLevel, WorkerError, WorkerMessage, WorkerToHost } from '../../protocol/worker';
import { WORKER_ENV, WORKER_PROTOCOL_VERSION, batch, unbatch } from '../../protocol/worker';
import { MessageQueue } from '../../shared/messageQueue';
import { EpisodeWatch, RunningEpisode } from './episodeWatch';

export interface WorkerOptions {
  appDir: string;
  /** local.settings.json Values and the like. */
  env: Record<string, string>;
  nodePath?: string;
  /** Start the worker under the inspector: true for the default port, or a port/host:port. */
  inspect?: string | boolean;
  functionTimeoutMs: number;
  /** Told of every invocation sent to the worker; what it returns is called when the invocation settles. */
  onInvoke?: (invocation: Invocation) => ((value: InvocationValue | undefined, error?: unknown) => void) | undefined;
  /** The worker's heap limit in MB (--max-old-space-size), unless NODE_OPTIONS sets one. Default 1024. */
  maxHeapMb?: number;
  /** Longest an orchestrator episode may run user code. Default 10 s; none under the inspector. */
  episodeTimeLimitMs?: number;
}

export type WorkerState = 'starting' | 'ready' | 'loadFailed' | 'stopped';

/**
 * An invocation that failed because of the process: it timed out, the process crashed under it, the
 * process was not there, or (fatal) it killed or hung the process itself.
 */
export class WorkerFailure extends Error {
  constructor(
    message: string,
    readonly reason: 'timeout' | 'crash' | 'unavailable' | 'fatal',
  ) {
    super(message);
    this.name = reason === 'timeout' ? 'FunctionTimeoutException' : 'WorkerProcessException';
  }

  /** Whether running the invocation again may succeed (it need not have caused the failure). */
  get retryable(): boolean {
    return this.reason === 'crash' || this.reason === 'unavailable';
  }
}

/** A function's own error, as the worker reported it. */
export class FunctionError extends Error {
  constructor(readonly detail: WorkerError) {
    super(detail.message);
    this.name = detail.name ?? 'Error';
    this.stack = detail.stack;
  }
}

interface InFlight {
  id: number;
  invocation: Invocation;
  resolve: (value: InvocationValue) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface WorkerLog {
  level: LogLevel;
  message: string;
  functionName?: string;
}

const WORKER_ENTRY = path.join(__dirname, '..', '..', 'worker', 'main.js');
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A worker that dies this soon after loading is restarted with a growing delay, not in a tight loop. */
const QUICK_CRASH_MS = 5000;
const MAX_RESTART_DELAY_MS = 10_000;
export const DEFAULT_WORKER_HEAP_MB = 1024;
export const DEFAULT_EPISODE_TIME_LIMIT_MS = 10_000;
/** A terminate cuts short its instance's episode (restarting the worker) once the episode has run this long. */
const INTERRUPT_AFTER_MS = 1000;
/** The worker's stdio slot for episode marks (after stdin, stdout, stderr and the IPC channel). */
const MARKS_FD = 4;

export function describeInvocation(inv: Invocation): string {
  switch (inv.kind) {
    case 'orchestrator':
      return `orchestrator '${inv.functionName}' (instance ${inv.instanceId})`;
    case 'activity':
      return `activity '${inv.functionName}' (instance ${inv.instanceId}, task ${inv.taskId})`;
    case 'http':
      return `HTTP function '${inv.functionName}'`;
  }
}

export class WorkerProcess extends EventEmitter {
  state: WorkerState = 'stopped';
  functions: FunctionInfo[] = [];
  warnings: string[] = [];
  loadError: { message: string; file?: string } | null = null;
  /** The app's HTTP proxy when it streams HTTP (ready.httpUri); HTTP invocations then go through it. */
  httpUri: string | undefined;
  private child: ChildProcess | null = null;
  private nextId = 1;
  private inFlight = new Map<number, InFlight>();
  private ready: Promise<void> | null = null;
  private readonly timeoutMs: number;
  private readyAt = 0;
  private restartDelay = 0;
  /** Messages of this event-loop turn, written together (one IPC write costs about as much as its content). */
  private outbox: HostMessage[] = [];
  private readonly episodes: EpisodeWatch;
  /** The worker said its heap ran out (V8 prints it on stderr before aborting). */
  private outOfMemory = false;
  /** Orchestrator invocations whose instance is being terminated: cut short if they run too long. */
  private readonly interrupted = new Set<number>();

  constructor(private readonly options: WorkerOptions) {
    super();
    this.timeoutMs = options.functionTimeoutMs;
    const limit = options.inspect ? Infinity : (options.episodeTimeLimitMs ?? DEFAULT_EPISODE_TIME_LIMIT_MS);
    this.episodes = new EpisodeWatch(limit, (episode) => this.cutShort(episode), (episode) => this.cutIfInterrupted(episode));
  }

  private get heapMb(): number {
    return this.options.maxHeapMb ?? DEFAULT_WORKER_HEAP_MB;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process and resolves once the app is loaded (or failed to load: see `state`). */
  start(): Promise<void> {
    if (this.ready) return this.ready;
    this.state = 'starting';
    this.loadError = null;
    this.outOfMemory = false;
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.options.env, [WORKER_ENV.appDir]: this.options.appDir, [WORKER_ENV.marksFd]: String(MARKS_FD) };
    const execArgv: string[] = [];
    if (this.options.inspect) execArgv.push(this.options.inspect === true ? '--inspect' : `--inspect=${this.options.inspect}`);
    // A runaway orchestrator (a fan-out of 1e9) then dies at the limit instead of taking the machine's memory.
    if (!/--max-old-space-size/.test(env.NODE_OPTIONS ?? '')) execArgv.push(`--max-old-space-size=${this.heapMb}`);
    // A young generation of 3 x 4 MiB instead of up to 3 x 16: ~22 MiB less resident, same throughput (docs/performance.md).
    if (!/--max-semi-space-size/.test(env.NODE_OPTIONS ?? '')) execArgv.push('--max-semi-space-size=4');
    const child = fork(WORKER_ENTRY, [], {
      cwd: this.options.appDir,
      env,
      execPath: this.options.nodePath || process.execPath,
      execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
      serialization: 'json',
    });
    this.child = child;
    this.episodes.end();
    this.episodes.attach(child.stdio[MARKS_FD] as Readable);
    const forward = (level: LogLevel) => (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split(/\r?\n/)) {
        if (!line.trim()) continue;
        if (/heap out of memory/i.test(line)) this.outOfMemory = true;
        this.emit('log', { level, message: line } satisfies WorkerLog);
      }
    };
    child.stdout!.on('data', forward('information'));
    child.stderr!.on('data', forward('warning'));
    this.ready = new Promise<void>((resolve) => {
      const inbox = new MessageQueue<WorkerMessage>((message) => this.onMessage(message, resolve));
      child.on('message', (message: WorkerToHost) => inbox.push(unbatch(message)));
      child.on('exit', (code, signal) => {
        inbox.drain();
        this.onExit(child, code, signal);
        resolve();
      });
      child.on('error', (error) => this.emit('log', { level: 'error', message: `Worker process error: ${error.message}` }));
    });
    return this.ready;
  }

  /** Runs `draft` in the worker, under a fresh invocation id unless it has one. */
  invoke(draft: InvocationDraft): Promise<InvocationValue> {
    const invocation = { ...draft, invocationId: draft.invocationId ?? randomUUID() } as Invocation;
    if (this.state !== 'ready' || !this.child) {
      const why = this.loadError ? `the app failed to load: ${this.loadError.message}` : `the worker is ${this.state}`;
      return Promise.reject(new WorkerFailure(`Cannot run ${describeInvocation(invocation)}: ${why}`, 'unavailable'));
    }
    const id = this.nextId++;
    const settled = this.options.onInvoke?.(invocation);
    const result = new Promise<InvocationValue>((resolve, reject) => {
      // setTimeout caps at ~24.8 days; longer (or no) timeouts simply never fire.
      const timer = setTimeout(() => this.onTimeout(id), Math.min(this.timeoutMs, MAX_TIMER_MS));
      if (this.timeoutMs > MAX_TIMER_MS) clearTimeout(timer);
      this.inFlight.set(id, { id, invocation, resolve, reject, timer });
      this.send({ type: 'invoke', id, invocation });
    });
    if (settled) result.then(settled, (error) => settled(undefined, error));
    return result;
  }

  forget(instanceId: string): void {
    if (this.state === 'ready') this.send({ type: 'forget', instanceId });
  }

  private send(message: HostMessage): void {
    if (this.outbox.push(message) > 1) return;
    setImmediate(() => {
      const messages = this.outbox;
      this.outbox = [];
      if (messages.length && this.child?.connected) this.child.send(batch(messages));
    });
  }

  /**
   * Stops the process (failing what is in flight with `reason`; `inFlight` says whether that counts as a
   * crash they may have caused) and starts a new one. SIGTERM shuts it down as the Functions host does on a
   * reload (appTerminate hooks run); SIGKILL is for a stuck worker.
   */
  async restart(reason: string, inFlight: 'crash' | 'unavailable' = 'crash', signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.stop(reason, signal, inFlight);
    await this.start();
    this.emit('restarted', reason);
  }

  async stop(reason = 'the emulator is stopping', signal: NodeJS.Signals = 'SIGTERM', inFlight: 'crash' | 'unavailable' = 'crash'): Promise<void> {
    const child = this.child;
    this.outbox = [];
    this.episodes.end();
    this.failInFlight(reason, inFlight);
    this.state = 'stopped';
    this.child = null;
    this.ready = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (signal === 'SIGTERM' && child.connected) child.send({ type: 'shutdown' });
    else child.kill(signal);
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(force);
  }

  private onMessage(message: WorkerMessage, loaded: () => void): void {
    switch (message.type) {
      case 'ready':
        if (message.version !== WORKER_PROTOCOL_VERSION) {
          this.emit('log', { level: 'warning', message: `The worker speaks protocol version ${message.version}; the host expects ${WORKER_PROTOCOL_VERSION}.` });
        }
        this.state = 'ready';
        this.readyAt = Date.now();
        this.functions = message.functions;
        this.warnings = message.warnings;
        this.httpUri = message.httpUri;
        for (const warning of message.warnings) this.emit('log', { level: 'warning', message: warning });
        loaded();
        this.emit('ready', message.functions);
        break;
      case 'loadError':
        this.state = 'loadFailed';
        this.functions = [];
        this.httpUri = undefined;
        this.loadError = { message: message.message, file: message.file };
        this.emit('log', { level: 'error', message: `The app failed to load: ${message.message}` });
        loaded();
        this.emit('loadError', this.loadError);
        break;
      case 'log':
        this.emit('log', { level: message.level, message: message.message, functionName: message.functionName });
        break;
      case 'result': {
        const call = this.take(message.id);
        if (!call) return;
        this.episodes.end(message.id);
        if (message.ok) call.resolve(message.value);
        else call.reject(new FunctionError(message.error));
        break;
      }
    }
  }

  private onTimeout(id: number): void {
    const call = this.take(id);
    if (!call) return;
    const seconds = (this.timeoutMs / 1000).toFixed(0);
    const what = describeInvocation(call.invocation);
    call.reject(new WorkerFailure(`Timeout value of ${seconds}s exceeded by ${what}.`, 'timeout'));
    this.emit('log', { level: 'error', message: `${what} timed out after ${seconds}s; restarting the worker.` });
    void this.restart(`the worker was restarted because ${what} timed out`);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    const running = [...this.inFlight.values()].map((c) => describeInvocation(c.invocation));
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const during = running.length ? ` while running ${running.join(', ')}` : '';
    // An episode running user code when the process died killed it: only that one is failed.
    const episode = this.episodes.running;
    const interrupted = !!episode && this.interrupted.has(episode.invocationId);
    const culprit = episode ? this.take(episode.invocationId) : undefined;
    if (culprit) {
      const what = describeInvocation(culprit.invocation);
      // V8 reports a full heap on stderr, then aborts (SIGABRT); the report may arrive after the exit.
      const outOfMemory = this.outOfMemory || signal === 'SIGABRT';
      const cause = outOfMemory ? `: it ran out of memory (the worker's heap is limited to ${this.heapMb} MB)` : '';
      culprit.reject(
        interrupted
          ? new WorkerFailure(`${what} was cut short to apply a terminate.`, 'unavailable')
          : new WorkerFailure(`The worker process ${how} while ${what} ran an episode${cause}. It is not retried: replaying the same history would do the same.`, 'fatal'),
      );
    }
    this.episodes.end();
    this.failInFlight(`The worker process ${how}${during}.`, culprit ? 'unavailable' : 'crash');
    const wasReady = this.state === 'ready';
    this.child = null;
    this.ready = null;
    this.state = wasReady ? 'stopped' : 'loadFailed';
    this.emit('log', { level: 'error', message: `The worker process ${how}${during}.` });
    this.emit('exit', { code, signal, running });
    // A worker that dies after loading is restarted; one that cannot even load waits for a change.
    if (wasReady) {
      this.restartDelay = Date.now() - this.readyAt < QUICK_CRASH_MS ? Math.min(MAX_RESTART_DELAY_MS, Math.max(250, this.restartDelay * 2)) : 0;
      const restart = () => {
        if (this.state !== 'stopped' || this.child) return;
        void this.start().then(() => this.emit('restarted', `the worker process ${how}`));
      };
      if (this.restartDelay) setTimeout(restart, this.restartDelay);
      else restart();
    }
    else if (!this.loadError) this.loadError = { message: `the worker process ${how} while loading the app` };
  }

  /**
   * A terminate for `instanceId`: an episode of it in flight is cut short once it has run user code for
   * INTERRUPT_AFTER_MS, so that the terminate applies instead of waiting for an endless episode.
   */
  interrupt(instanceId: string): void {
    for (const call of this.inFlight.values()) {
      if (call.invocation.kind === 'orchestrator' && call.invocation.instanceId === instanceId) this.interrupted.add(call.id);
    }
    const running = this.episodes.running;
    if (running) this.cutIfInterrupted(running);
  }

  private cutIfInterrupted(episode: RunningEpisode): void {
    if (!this.interrupted.has(episode.invocationId)) return;
    const cut = () => this.episodes.running === episode && this.cutShort(episode);
    setTimeout(cut, Math.max(0, INTERRUPT_AFTER_MS - (Date.now() - episode.since))).unref();
  }

  /** An episode past its time limit, or interrupted by a terminate: it is failed (or retried), the others retried. */
  private cutShort(episode: RunningEpisode): void {
    const interrupted = this.interrupted.has(episode.invocationId);
    const call = this.take(episode.invocationId);
    if (!call) return;
    const what = describeInvocation(call.invocation);
    const limit = ((this.options.episodeTimeLimitMs ?? DEFAULT_EPISODE_TIME_LIMIT_MS) / 1000).toFixed(0);
    const why = interrupted ? 'was cut short to apply a terminate' : `ran one episode for more than ${limit}s (the episode time limit)`;
    call.reject(new WorkerFailure(`${what} ${why}.`, interrupted ? 'unavailable' : 'fatal'));
    this.emit('log', { level: 'error', message: `${what} ${why}; restarting the worker.` });
    void this.restart(`the worker was restarted because ${what} ${why}`, 'unavailable');
  }

  /** Removes an invocation from those in flight, for a caller that settles it. */
  private take(id: number): InFlight | undefined {
    const call = this.inFlight.get(id);
    if (!call) return undefined;
    this.inFlight.delete(id);
    this.interrupted.delete(id);
    clearTimeout(call.timer);
    return call;
  }

  private failInFlight(message: string, reason: 'timeout' | 'crash' | 'unavailable'): void {
    const calls = [...this.inFlight.values()];
    this.inFlight.clear();
    this.interrupted.clear();
    for (const call of calls) {
      clearTimeout(call.timer);
      call.reject(new WorkerFailure(message, reason));
    }
  }
}
