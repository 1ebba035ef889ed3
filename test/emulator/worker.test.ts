/**
 * The app worker as the host uses it: a forked out/emulator/worker/main.js against the fixture apps,
 * spoken to only through the IPC messages of emulator/protocol/worker.ts.
 */
import * as assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ActionType, EventType, type HistoryEvent, type OrchestratorResult } from '../../emulator/protocol/durable';
import {
  WORKER_ENV,
  WORKER_PROTOCOL_VERSION,
  type ActivityOutcome,
  type HttpResponseData,
  type Invocation,
  type WorkerError,
  type WorkerToHost,
} from '../../emulator/protocol/worker';
import { expandEntryPoints } from '../../emulator/worker/glob';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const WORKER_MAIN = path.join(ROOT, 'out', 'emulator', 'worker', 'main.js');
const APPS = path.join(ROOT, 'test', 'fixtures', 'apps');

type LogMessage = Extract<WorkerToHost, { type: 'log' }>;
type ResultMessage = Extract<WorkerToHost, { type: 'result' }>;

/** A forked worker with a message inbox that tests wait on (never on fixed delays). */
class TestWorker {
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

function localSettings(appDir: string): Record<string, string> {
  const file = path.join(appDir, 'local.settings.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')).Values as Record<string, string>) : {};
}

// ---- hand-built histories (PascalCase, numeric EventType, as reference §2) ----
const T0 = '2024-05-01T10:00:00.000Z';
const T1 = '2024-05-01T10:00:05.000Z';

function event(type: EventType, fields: Partial<HistoryEvent> = {}, timestamp = T0): HistoryEvent {
  return { EventType: type, EventId: -1, Timestamp: timestamp, IsPlayed: false, ...fields };
}

function startEvents(name: string, instanceId: string, input?: unknown, executionId = 'exec-1'): HistoryEvent[] {
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

function orchestrator(
  functionName: string,
  instanceId: string,
  history: HistoryEvent[],
  historyBase = 0,
  executionId = 'exec-1',
): Invocation {
  return { kind: 'orchestrator', functionName, instanceId, executionId, parentInstanceId: null, historyBase, history };
}

function activity(functionName: string, input: unknown): Invocation {
  return { kind: 'activity', functionName, instanceId: 'inst', taskId: 0, input: input === undefined ? null : JSON.stringify(input) };
}

function httpGet(functionName: string, url: string, params: Record<string, string> = {}): Invocation {
  return { kind: 'http', functionName, request: { method: 'GET', url, headers: {}, query: {}, params, body: '' } };
}

const helloTokyoDone = [
  event(EventType.TaskScheduled, { EventId: 0, Name: 'SayHello', Input: '"Tokyo"' }),
  event(EventType.OrchestratorCompleted),
  event(EventType.OrchestratorStarted, {}, T1),
  event(EventType.TaskCompleted, { TaskScheduledId: 0, Result: '"Hello Tokyo!"' }, T1),
];

describe('app worker', function () {
  const workers: TestWorker[] = [];
  const start = (app: string, env?: Record<string, string>): TestWorker => {
    const worker = new TestWorker(path.join(APPS, app), env);
    workers.push(worker);
    return worker;
  };

  afterEach(() => {
    workers.splice(0).forEach((w) => w.kill());
  });

  describe('loading', () => {
    it('lists the scenario app functions with kinds, routes, methods and client bindings', async () => {
      const ready = await start('scenarios').ready();
      assert.equal(ready.version, WORKER_PROTOCOL_VERSION);
      const byName = new Map(ready.functions.map((f) => [f.name, f]));
      for (const name of ['SayHello', 'Echo', 'FailTimes', 'AlwaysFail', 'Sleep', 'Hang', 'ExitProcess', 'ReadSetting', 'Add']) {
        assert.equal(byName.get(name)?.kind, 'activity', name);
      }
      for (const name of ['HelloSequence', 'FanOutFanIn', 'PhoneLike', 'ThrowDirect', 'Counter', 'SettingOrch']) {
        assert.equal(byName.get(name)?.kind, 'orchestrator', name);
      }
      assert.deepEqual(byName.get('HttpStart'), {
        name: 'HttpStart',
        kind: 'http',
        triggerType: 'httpTrigger',
        route: 'orchestrators/{functionName}/{instanceId?}',
        methods: ['POST'],
        authLevel: 'anonymous',
        usesDurableClient: true,
      });
      assert.equal(byName.get('Hello')?.route, 'hello/{name}');
      assert.deepEqual(byName.get('Hello')?.methods, ['GET']);
      assert.equal(byName.get('Hello')?.usesDurableClient, false);
      assert.equal(byName.get('Boom')?.route, 'Boom', 'the route defaults to the function name');
      assert.equal(byName.get('SayHello')?.triggerType, 'activityTrigger');
    });

    it('reports a load error naming the file and stays alive', async () => {
      const worker = start('broken-app');
      const loadError = await worker.waitFor((m) => m.type === 'loadError' || m.type === 'ready');
      assert.equal(loadError.type, 'loadError');
      if (loadError.type !== 'loadError') return;
      assert.match(loadError.message, /index\.js/);
      assert.match(loadError.message, /cannot load me/);
      assert.equal(loadError.file, path.join(APPS, 'broken-app', 'index.js'));
      assert.match(loadError.stack ?? '', /cannot load me/);
      const error = await worker.invokeFailure(activity('Anything', 1));
      assert.match(error.message, /failed to load/);
    });

    it('loads an ES-module app, runs its appStart and preInvocation hooks', async () => {
      const worker = start('esm-app');
      const ready = await worker.ready();
      assert.deepEqual(ready.functions.map((f) => f.name).sort(), ['EsmHello', 'Hooked', 'Picky', 'ShoutOrch', 'Shout', 'Stray'].sort());
      assert.deepEqual(await worker.invokeOk<ActivityOutcome>(activity('Shout', 'hi')), { result: '"HI!"' });
      assert.deepEqual(await worker.invokeOk<ActivityOutcome>(activity('Hooked', 'x')), { result: '"x+pre+started"' });
      const rewritten = await worker.waitFor((m): m is LogMessage => m.type === 'log' && m.functionName === 'Hooked');
      assert.equal(rewritten.message, 'the *** is out', 'log hooks may rewrite user logs');
      const response = await worker.invokeOk<HttpResponseData>(httpGet('EsmHello', 'http://localhost:7071/api/EsmHello'));
      assert.equal(response.status, 200);
      assert.deepEqual(JSON.parse(Buffer.from(response.body, 'base64').toString()), { module: 'esm' });
    });
    it('warns about HTTP streaming and triggers it does not run, and fails streaming HTTP functions', async () => {
      const worker = start('warnings-app');
      const ready = await worker.ready();
      assert.equal(ready.functions.find((f) => f.name === 'Tick')?.kind, 'other');
      assert.equal(ready.warnings.length, 2);
      assert.match(ready.warnings[0], /enableHttpStream/);
      assert.match(ready.warnings[1], /"Tick".*timerTrigger/);
      const error = await worker.invokeFailure(httpGet('Streamy', 'http://localhost:7071/api/Streamy'));
      assert.match(error.message, /HTTP streaming/);
    });
  });

  describe('entry point globs', () => {
    let app: string;
    const file = (...parts: string[]): string => path.join(app, ...parts);

    before(() => {
      app = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-glob-'));
      for (const f of ['dist/functions/a.js', 'dist/functions/b.js', 'dist/functions/nested/c.js', 'dist/.hidden/d.js', 'node_modules/x/e.js', 'README.md']) {
        fs.mkdirSync(path.dirname(file(f)), { recursive: true });
        fs.writeFileSync(file(f), '');
      }
    });
    after(() => fs.rmSync(app, { recursive: true, force: true }));

    it('expands *, ** and ?, skipping hidden folders and node_modules', () => {
      const [a, b, c] = [file('dist', 'functions', 'a.js'), file('dist', 'functions', 'b.js'), file('dist', 'functions', 'nested', 'c.js')];
      assert.deepEqual(expandEntryPoints(app, 'dist/functions/*.js'), [a, b]);
      assert.deepEqual(expandEntryPoints(app, './dist/**/*.js'), [a, b, c]);
      assert.deepEqual(expandEntryPoints(app, 'dist/**'), [a, b, c]);
      assert.deepEqual(expandEntryPoints(app, '**/?.js'), [a, b, c]);
      assert.deepEqual(expandEntryPoints(app, 'dist\\functions\\b.js'), [b]);
      assert.deepEqual(expandEntryPoints(app, 'out/*.js'), []);
    });

    it('returns a plain path as it is, even when missing', () => {
      assert.deepEqual(expandEntryPoints(app, 'out/index.js'), [file('out', 'index.js')]);
    });
  });

  describe('activities', () => {
    it('returns results as JSON text and reads local.settings.json values', async () => {
      const worker = start('scenarios');
      await worker.ready();
      const results = await Promise.all([
        worker.invokeOk<ActivityOutcome>(activity('SayHello', 'Tokyo')),
        worker.invokeOk<ActivityOutcome>(activity('Add', { a: 2, b: 3 })),
        worker.invokeOk<ActivityOutcome>(activity('Echo', { nested: [1, 'two'] })),
        worker.invokeOk<ActivityOutcome>(activity('Echo', undefined)),
        worker.invokeOk<ActivityOutcome>(activity('ReadSetting', undefined)),
      ]);
      assert.deepEqual(
        results.map((r) => r.result),
        ['"Hello Tokyo!"', '5', '{"nested":[1,"two"]}', 'null', '"from-local-settings"'],
      );
    });

    it('reports a throw as a failed invocation', async () => {
      const worker = start('scenarios');
      await worker.ready();
      const error = await worker.invokeFailure(activity('AlwaysFail', undefined));
      assert.equal(error.message, 'boom');
      assert.equal(error.name, 'Error');
      assert.match(error.stack ?? '', /activities\.js/);
      assert.equal(error.failureDetails, undefined);
    });

    it('passes the exception properties provider payload on as failureDetails', async () => {
      const worker = start('esm-app');
      await worker.ready();
      const error = await worker.invokeFailure(activity('Picky', undefined));
      assert.equal(error.message, 'picky failure');
      assert.deepEqual((error.failureDetails as { properties: unknown }).properties, { code: 'E_PICKY' });
    });

    it('reports an error thrown outside the invocation as an error log naming the function, and keeps running', async () => {
      const worker = start('esm-app');
      await worker.ready();
      assert.deepEqual(await worker.invokeOk<ActivityOutcome>(activity('Stray', undefined)), { result: '"returned"' });
      const log = await worker.waitFor((m): m is LogMessage => m.type === 'log' && m.message.includes('stray failure'));
      assert.equal(log.level, 'error');
      assert.match(log.message, /"Stray"/);
      assert.equal(log.functionName, 'Stray');
      assert.deepEqual(await worker.invokeOk<ActivityOutcome>(activity('Shout', 'still here')), { result: '"STILL HERE!"' });
    });
  });

  describe('orchestrator episodes', () => {
    it('schedules one activity per episode of HelloSequence', async () => {
      const worker = start('scenarios');
      await worker.ready();
      const history = startEvents('HelloSequence', 'hello-1');
      const first = await worker.invokeOk<OrchestratorResult>(orchestrator('HelloSequence', 'hello-1', history));
      assert.deepEqual(first, {
        isDone: false,
        actions: [{ actionType: ActionType.CallActivity, functionName: 'SayHello', input: '"Tokyo"' }],
      });
      const second = await worker.invokeOk<OrchestratorResult>(
        orchestrator('HelloSequence', 'hello-1', [...history, ...helloTokyoDone]),
      );
      assert.equal(second.isDone, false);
      assert.deepEqual(
        second.actions.map((a) => [a.actionType, a.functionName, a.input]),
        [
          [ActionType.CallActivity, 'SayHello', '"Tokyo"'],
          [ActionType.CallActivity, 'SayHello', '"Seattle"'],
        ],
      );
    });

    it('extends the cached history from historyBase and asks for the whole history on a miss', async () => {
      const worker = start('scenarios');
      await worker.ready();
      const history = startEvents('HelloSequence', 'cache-1');
      await worker.invokeOk<OrchestratorResult>(orchestrator('HelloSequence', 'cache-1', history));
      const delta = await worker.invokeOk<OrchestratorResult>(orchestrator('HelloSequence', 'cache-1', helloTokyoDone, 2));
      assert.equal(delta.actions.length, 2, 'the cached prefix plus the delta replays like the full history');

      const needHistory = { needHistory: true };
      assert.deepEqual(await worker.invokeOk(orchestrator('HelloSequence', 'never-seen', helloTokyoDone, 2)), needHistory);
      assert.deepEqual(await worker.invokeOk(orchestrator('HelloSequence', 'cache-1', [], 5)), needHistory, 'wrong length');
      assert.deepEqual(
        await worker.invokeOk(orchestrator('HelloSequence', 'cache-1', [], 6, 'exec-2')),
        needHistory,
        'another execution',
      );
      worker.child.send({ type: 'forget', instanceId: 'cache-1' });
      assert.deepEqual(await worker.invokeOk(orchestrator('HelloSequence', 'cache-1', [], 6)), needHistory, 'forgotten');

      const full = await worker.invokeOk<OrchestratorResult>(orchestrator('HelloSequence', 'cache-1', [...history, ...helloTokyoDone]));
      assert.equal(full.actions.length, 2, 'a full resend (historyBase 0) refills the cache');
      const next = await worker.invokeOk<OrchestratorResult>(orchestrator('HelloSequence', 'cache-1', [], 6));
      assert.equal(next.actions.length, 2);
    });

    it('reports a timer reused across Task.any iterations once (PhoneLike)', async () => {
      const worker = start('scenarios');
      await worker.ready();
      const history = startEvents('PhoneLike', 'phone-1', 60);
      const first = await worker.invokeOk<OrchestratorResult>(orchestrator('PhoneLike', 'phone-1', history));
      assert.deepEqual(
        first.actions.map((a) => a.actionType),
        [ActionType.WaitForExternalEvent, ActionType.CreateTimer],
      );
      assert.equal(first.actions[1].fireAt, '2024-05-01T10:01:00.000Z');

      const afterWrongCode = [
        ...history,
        event(EventType.TimerCreated, { EventId: 0, FireAt: '2024-05-01T10:01:00.000Z' }),
        event(EventType.OrchestratorCompleted),
        event(EventType.OrchestratorStarted, {}, T1),
        event(EventType.EventRaised, { Name: 'Code', Input: '1' }, T1),
      ];
      const second = await worker.invokeOk<OrchestratorResult>(orchestrator('PhoneLike', 'phone-1', afterWrongCode));
      assert.equal(second.isDone, false);
      assert.deepEqual(
        second.actions.map((a) => a.actionType),
        [ActionType.WaitForExternalEvent, ActionType.CreateTimer, ActionType.WaitForExternalEvent],
      );
      assert.deepEqual(second.actions.map((a) => a.externalEventName).filter(Boolean), ['Code', 'Code']);

      const verified = await worker.invokeOk<OrchestratorResult>(
        orchestrator('PhoneLike', 'phone-1', [...afterWrongCode, event(EventType.EventRaised, { Name: 'Code', Input: '1234' }, T1)]),
      );
      assert.equal(verified.isDone, true);
      assert.equal(verified.output, 'verified');
      assert.equal(verified.actions.filter((a) => a.actionType === ActionType.CreateTimer).length, 1);
      assert.equal(verified.actions[1].isCanceled, true);
    });

    it('returns the error of an orchestrator that throws', async () => {
      const worker = start('scenarios');
      await worker.ready();
      const result = await worker.invokeOk<OrchestratorResult>(
        orchestrator('ThrowDirect', 'throw-1', startEvents('ThrowDirect', 'throw-1')),
      );
      assert.equal(result.isDone, false);
      assert.deepEqual(result.actions, []);
      assert.equal(result.error?.message, 'orchestrator exploded');
      assert.match(result.error?.stack ?? '', /orchestrators\.js/);
    });

    it('fails with the activity failure details when an activity failure is not caught', async () => {
      const worker = start('scenarios');
      await worker.ready();
      const history = [
        ...startEvents('Unhandled', 'unhandled-1'),
        event(EventType.TaskScheduled, { EventId: 0, Name: 'AlwaysFail' }),
        event(EventType.OrchestratorCompleted),
        event(EventType.OrchestratorStarted, {}, T1),
        event(
          EventType.TaskFailed,
          {
            TaskScheduledId: 0,
            Reason: 'boom',
            Details: 'Error: boom',
            FailureDetails: { ErrorType: 'Error', ErrorMessage: 'boom', StackTrace: 'Error: boom\n    at handler' },
          },
          T1,
        ),
      ];
      const result = await worker.invokeOk<OrchestratorResult>(orchestrator('Unhandled', 'unhandled-1', history));
      assert.equal(result.isDone, false);
      assert.equal(result.actions.length, 1);
      assert.match(result.error?.message ?? '', /boom/);
      assert.deepEqual(
        (result.error?.failureDetails as { ErrorType: string; ErrorMessage: string }).ErrorMessage,
        'boom',
      );
    });

    it('completes with output and continue-as-new', async () => {
      const worker = start('scenarios');
      await worker.ready();
      const child = await worker.invokeOk<OrchestratorResult>(orchestrator('ChildWithId', 'c-1', startEvents('ChildWithId', 'c-1', 21)));
      assert.deepEqual(child, { isDone: true, actions: [], output: 42 });
      const counter = await worker.invokeOk<OrchestratorResult>(orchestrator('Counter', 'k-1', startEvents('Counter', 'k-1', 1)));
      assert.equal(counter.isDone, true);
      assert.deepEqual(counter.actions, [{ actionType: ActionType.ContinueAsNew, input: 2 }]);
    });
  });

  describe('http functions', () => {
    it('runs an HTTP function and forwards its logs', async () => {
      const worker = start('scenarios');
      await worker.ready();
      const response = await worker.invokeOk<HttpResponseData>(
        httpGet('Hello', 'http://localhost:7071/api/hello/bob', { name: 'bob' }),
      );
      assert.equal(response.status, 200);
      assert.equal(Buffer.from(response.body, 'base64').toString(), 'Hello bob');
      assert.match(String(response.headers['content-type']), /text\/plain/);
      const contextLog = await worker.waitFor((m): m is LogMessage => m.type === 'log' && m.message === 'Hello called for bob');
      assert.equal(contextLog.level, 'information');
      assert.equal(contextLog.functionName, 'Hello');
      assert.ok(contextLog.invocationId);
      const consoleLog = await worker.waitFor((m): m is LogMessage => m.type === 'log' && m.message === 'console output from Hello');
      assert.equal(consoleLog.functionName, 'Hello');
      assert.equal(consoleLog.invocationId, contextLog.invocationId);
    });

    it('reports a throwing HTTP function as a failed invocation', async () => {
      const worker = start('scenarios');
      await worker.ready();
      const error = await worker.invokeFailure(httpGet('Boom', 'http://localhost:7071/api/Boom'));
      assert.equal(error.message, 'http boom');
    });

    it('gives the durable client its binding data (HttpStart)', async () => {
      const received: { url?: string; body: string }[] = [];
      const server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => {
          received.push({ url: req.url, body });
          res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'start-1' }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const worker = start('scenarios', { WEBSITE_HOSTNAME: origin.replace('http://', '') });
        await worker.ready();
        const response = await worker.invokeOk<HttpResponseData>({
          kind: 'http',
          functionName: 'HttpStart',
          request: {
            method: 'POST',
            url: `${origin}/api/orchestrators/HelloSequence/start-1`,
            headers: { 'content-type': 'application/json' },
            query: {},
            params: { functionName: 'HelloSequence', instanceId: 'start-1' },
            body: Buffer.from(JSON.stringify({ n: 1 })).toString('base64'),
          },
          durableClient: clientBindingData(origin),
        });
        assert.deepEqual(received, [{ url: '/runtime/webhooks/durabletask/orchestrators/HelloSequence/start-1', body: '{"n":1}' }]);
        assert.equal(response.status, 202);
        assert.equal(response.headers['location'], `${origin}/runtime/webhooks/durabletask/instances/start-1`);
        assert.equal(JSON.parse(Buffer.from(response.body, 'base64').toString()).id, 'start-1');
      } finally {
        server.close();
      }
    });
  });

  it('runs appTerminate hooks and exits 0 on shutdown', async () => {
    const worker = start('esm-app');
    await worker.ready();
    const exited = new Promise<number | null>((resolve) => worker.child.on('exit', (code) => resolve(code)));
    const hookLog = worker.waitFor((m) => m.type === 'log' && m.message === 'appTerminate ran');
    worker.child.send({ type: 'shutdown' });
    await hookLog;
    assert.equal(await exited, 0);
  });
});

/** DurableClient binding data as reference §5 describes it, on the given origin. */
function clientBindingData(origin: string): unknown {
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
