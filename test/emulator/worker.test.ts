/**
 * The app worker as the host uses it: a forked out/emulator/worker/main.js against the fixture apps,
 * spoken to only through the IPC messages of emulator/protocol/worker.ts. Loading, activities, HTTP
 * functions; orchestrator episodes have a file of their own.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WORKER_PROTOCOL_VERSION, type ActivityOutcome, type HttpResponseData } from '../../emulator/protocol/worker';
import { APPS, activity, clientBindingData, httpGet, useTestWorkers, type LogMessage } from './support/testWorker';

describe('app worker', function () {
  const start = useTestWorkers();

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
    it('warns about triggers it does not run, and reports the HTTP proxy of a streaming app', async () => {
      const worker = start('warnings-app');
      const ready = await worker.ready();
      assert.equal(ready.functions.find((f) => f.name === 'Tick')?.kind, 'other');
      assert.equal(ready.warnings.length, 1);
      assert.match(ready.warnings[0], /"Tick".*timerTrigger/);
      assert.match(ready.httpUri ?? '', /^http:\/\/localhost:\d+\/$/);
      const error = await worker.invokeFailure(httpGet('Streamy', 'http://localhost:7071/api/Streamy'));
      assert.match(error.message, /streams HTTP.*HTTP proxy/);
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
          invocationId: 'http-start-1',
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
