/** The app worker as a test drives it: a forked out/emulator/worker/main.js spoken to through its IPC messages, and invocation builders. */
import * as assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EventType, type HistoryEvent } from '../../../emulator/protocol/durable';
import { WORKER_ENV, type Invocation, type WorkerError, type WorkerToHost } from '../../../emulator/protocol/worker';

export const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const WORKER_MAIN = path.join(ROOT, 'out', 'emulator', 'worker', 'main.js');
export const APPS = path.join(ROOT, 'test', 'fixtures', 'apps');

export type LogMessage = Extract<WorkerToHost, { type: 'log' }>;
type ResultMessage = Extract<WorkerToHost, { type: 'result' }>;

/** A forked worker with a message inbox that tests wait on (never on fixed delays). */
export class TestWorker {
  readonly child: ChildProcess;
  readonly messages: WorkerToHost[] = [];
  private waiters: { match: (m: WorkerToHost) => boolean; resolve: (m: WorkerToHost) => void; reject: (e: Error) => void }[] = [];
  private nextId = 1;
  private stderr = '';
  private closed = false;

  constructor(appDir: string, env: Record<string, string> = {}) {
    this.child = fork(WORKER_MAIN, [], {
      cwd: appDir,
      env: { ...process.env, ...localSettings(appDir), ...env, [WORKER_ENV.appDir]: appDir },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    const receive = (message: WorkerToHost): void => {
      if (message.type === 'batch') return message.messages.forEach(receive);
      this.messages.push(message);
      this.waiters = this.waiters.filter((w) => (w.match(message) ? (w.resolve(message), false) : true));
    };
    this.child.on('message', receive);
    // 'close' (not 'exit') comes after the IPC channel delivered everything the worker sent.
    this.child.on('close', (code, signal) => {
      this.closed = true;
      const error = new Error(`worker exited (code ${code}, signal ${signal}) while a test waited; stderr: ${this.stderr}`);
      this.waiters.forEach((w) => w.reject(error));
      this.waiters = [];
    });
  }

  waitFor<T extends WorkerToHost>(match: (m: WorkerToHost) => m is T): Promise<T>;
  waitFor(match: (m: WorkerToHost) => boolean): Promise<WorkerToHost>;
  waitFor(match: (m: WorkerToHost) => boolean): Promise<WorkerToHost> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    if (this.closed) {
      return Promise.reject(new Error(`worker already exited; stderr: ${this.stderr}`));
    }
    return new Promise((resolve, reject) => this.waiters.push({ match, resolve, reject }));
  }

  async ready(): Promise<Extract<WorkerToHost, { type: 'ready' }>> {
    const message = await this.waitFor((m) => m.type === 'ready' || m.type === 'loadError');
    if (message.type !== 'ready') assert.fail(`expected ready, got ${JSON.stringify(message)}`);
    return message;
  }

  async invoke(invocation: Invocation): Promise<ResultMessage> {
    const id = this.nextId++;
    this.child.send({ type: 'invoke', id, invocation });
    return this.waitFor((m): m is ResultMessage => m.type === 'result' && m.id === id);
  }

  async invokeOk<T>(invocation: Invocation): Promise<T> {
    const result = await this.invoke(invocation);
    if (!result.ok) assert.fail(`invocation failed: ${JSON.stringify(result.error)}`);
    return result.value as T;
  }

  async invokeFailure(invocation: Invocation): Promise<WorkerError> {
    const result = await this.invoke(invocation);
    if (result.ok) assert.fail(`invocation unexpectedly succeeded: ${JSON.stringify(result.value)}`);
    return result.error;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

export function localSettings(appDir: string): Record<string, string> {
  const file = path.join(appDir, 'local.settings.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')).Values as Record<string, string>) : {};
}

// ---- hand-built histories (PascalCase, numeric EventType, as reference §2) ----
export const T0 = '2024-05-01T10:00:00.000Z';
export const T1 = '2024-05-01T10:00:05.000Z';

export function event(type: EventType, fields: Partial<HistoryEvent> = {}, timestamp = T0): HistoryEvent {
  return { EventType: type, EventId: -1, Timestamp: timestamp, IsPlayed: false, ...fields };
}

export function startEvents(name: string, instanceId: string, input?: unknown, executionId = 'exec-1'): HistoryEvent[] {
  return [
    event(EventType.OrchestratorStarted),
    event(EventType.ExecutionStarted, {
      Name: name,
      Version: '',
      Input: input === undefined ? null : JSON.stringify(input),
      OrchestrationInstance: { InstanceId: instanceId, ExecutionId: executionId },
      ParentInstance: null,
    }),
  ];
}

export function orchestrator(
  functionName: string,
  instanceId: string,
  history: HistoryEvent[],
  historyBase = 0,
  executionId = 'exec-1',
): Invocation {
  return { kind: 'orchestrator', invocationId: randomUUID(), functionName, instanceId, executionId, parentInstanceId: null, historyBase, history };
}

export function activity(functionName: string, input: unknown): Invocation {
  return { kind: 'activity', invocationId: randomUUID(), functionName, instanceId: 'inst', taskId: 0, input: input === undefined ? null : JSON.stringify(input) };
}

export function httpGet(functionName: string, url: string, params: Record<string, string> = {}): Invocation {
  return { kind: 'http', invocationId: randomUUID(), functionName, request: { method: 'GET', url, headers: {}, query: {}, params, body: '' } };
}

export const helloTokyoDone = [
  event(EventType.TaskScheduled, { EventId: 0, Name: 'SayHello', Input: '"Tokyo"' }),
  event(EventType.OrchestratorCompleted),
  event(EventType.OrchestratorStarted, {}, T1),
  event(EventType.TaskCompleted, { TaskScheduledId: 0, Result: '"Hello Tokyo!"' }, T1),
];

/** DurableClient binding data as reference §5 describes it, on the given origin. */
export function clientBindingData(origin: string): unknown {
  const base = `${origin}/runtime/webhooks/durabletask`;
  const instance = `${base}/instances/INSTANCEID`;
  return {
    taskHubName: 'ScenarioHub',
    connectionName: 'Storage',
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}`,
    },
    managementUrls: {
      id: 'INSTANCEID',
      statusQueryGetUri: instance,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}`,
      terminatePostUri: `${instance}/terminate?reason={text}`,
      rewindPostUri: `${instance}/rewind?reason={text}`,
      purgeHistoryDeleteUri: instance,
      restartPostUri: `${instance}/restart`,
      suspendPostUri: `${instance}/suspend?reason={text}`,
      resumePostUri: `${instance}/resume?reason={text}`,
    },
    baseUrl: base,
    requiredQueryStringParameters: '',
    rpcBaseUrl: `${base}/`,
  };
}

/** Workers for the enclosing describe block, killed after each of its tests. */
export function useTestWorkers(): (app: string, env?: Record<string, string>) => TestWorker {
  const workers: TestWorker[] = [];
  afterEach(() => {
    workers.splice(0).forEach((w) => w.kill());
  });
  return (app, env) => {
    const worker = new TestWorker(path.join(APPS, app), env);
    workers.push(worker);
    return worker;
  };
}
