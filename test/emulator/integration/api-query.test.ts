/**
 * Reading instances through the built-in HTTP API: the list with its filters and x-ms-continuation-token
 * paging, one instance with its history, and the status JSON and codes of the real extension.
 */
import * as assert from 'node:assert/strict';
import { RunningEmulator, fixtureApp, startEmulator } from '../support/emulatorProcess';
import { api, getStatus, request, startOrchestration, waitFor, waitForStatus } from '../support/httpClient';

const TIME_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function ids(list: any[]): string[] {
  return list.map((s) => s.instanceId).sort();
}

/** Every page of GET instances/?query, following x-ms-continuation-token. */
async function allPages(base: string, query: string): Promise<{ pages: any[][]; tokens: string[] }> {
  const pages: any[][] = [];
  const tokens: string[] = [];
  let token: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const reply = await request('GET', `${api(base)}/instances/?${query}`, undefined, token ? { 'x-ms-continuation-token': token } : {});
    assert.equal(reply.status, 200, reply.text);
    assert.ok(Array.isArray(reply.json), reply.text);
    pages.push(reply.json);
    token = reply.headers.get('x-ms-continuation-token');
    if (!token) return { pages, tokens };
    tokens.push(token);
  }
  throw new Error('paging never ended');
}

describe('api: listing and reading instances', () => {
  let emu: RunningEmulator;
  let base: string;
  const completed: string[] = [];
  const failed: string[] = [];
  let running: string;
  let batchA: string[] = [];
  const batchB: string[] = [];
  let windowFrom: Date;
  let windowTo: Date;

  before(async () => {
    emu = await startEmulator({ app: fixtureApp('scenarios') });
    base = emu.http;
    // Batch A: inside [windowFrom, windowTo]; batch B: after it.
    windowFrom = new Date();
    await waitFor(() => Date.now() > windowFrom.getTime(), 'a clock tick');
    for (let i = 0; i < 3; i++) completed.push(await startOrchestration(base, 'HelloSequence', { i }, `lst-c-${i}`));
    for (let i = 0; i < 2; i++) failed.push(await startOrchestration(base, 'Unhandled', { i }, `lst-f-${i}`));
    running = await startOrchestration(base, 'WaitForApproval', { secret: 'abc' }, 'lst-r-0');
    for (const id of completed) await waitForStatus(base, id, ['Completed']);
    for (const id of failed) await waitForStatus(base, id, ['Failed']);
    await waitForStatus(base, running, ['Running']);
    batchA = [...completed, ...failed, running];
    windowTo = new Date();
    await waitFor(() => Date.now() > windowTo.getTime() + 1, 'a clock tick');
    for (let i = 0; i < 2; i++) batchB.push(await startOrchestration(base, 'HelloSequence', null, `lstb-${i}`));
    for (const id of batchB) await waitForStatus(base, id, ['Completed']);
  });
  after(async () => {
    await emu?.stop();
  });

  describe('GET instances/ with filters', () => {
    it('runtimeStatus=Completed,Failed with instanceIdPrefix returns exactly those instances', async () => {
      const reply = await request('GET', `${api(base)}/instances/?runtimeStatus=Completed,Failed&instanceIdPrefix=lst-`);
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(ids(reply.json), [...completed, ...failed].sort());
      for (const s of reply.json) assert.ok(['Completed', 'Failed'].includes(s.runtimeStatus));
    });

    it('runtimeStatus=Running returns the running one only', async () => {
      const reply = await request('GET', `${api(base)}/instances/?runtimeStatus=Running&instanceIdPrefix=lst-`);
      assert.deepEqual(ids(reply.json), [running]);
    });

    it('instanceIdPrefix alone selects by prefix', async () => {
      const reply = await request('GET', `${api(base)}/instances/?instanceIdPrefix=lst-f-`);
      assert.deepEqual(ids(reply.json), [...failed].sort());
      const none = await request('GET', `${api(base)}/instances/?instanceIdPrefix=zzz-nothing`);
      assert.equal(none.status, 200);
      assert.deepEqual(none.json, []);
    });

    it('createdTimeFrom/createdTimeTo select the instances created in the window', async () => {
      const reply = await request('GET', `${api(base)}/instances/?createdTimeFrom=${windowFrom.toISOString()}&createdTimeTo=${windowTo.toISOString()}`);
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(ids(reply.json), [...batchA].sort());
      const after = await request('GET', `${api(base)}/instances/?createdTimeFrom=${new Date(windowTo.getTime() + 1).toISOString()}`);
      assert.deepEqual(ids(after.json), [...batchB].sort());
      const combined = await request(
        'GET',
        `${api(base)}/instances/?createdTimeFrom=${windowFrom.toISOString()}&createdTimeTo=${windowTo.toISOString()}&runtimeStatus=Failed`,
      );
      assert.deepEqual(ids(combined.json), [...failed].sort());
    });

    it('showInput=false leaves input out (null) and the default shows it', async () => {
      const hidden = await request('GET', `${api(base)}/instances/?instanceIdPrefix=lst-&showInput=false`);
      assert.equal(hidden.json.length, batchA.length);
      for (const s of hidden.json) {
        assert.ok('input' in s, 'input key present');
        assert.equal(s.input, null);
      }
      const shown = await request('GET', `${api(base)}/instances/?instanceIdPrefix=lst-r-`);
      assert.deepEqual(shown.json[0].input, { secret: 'abc' });
    });

    it('ignores values that do not parse, as the extension does (unknown or lower-case statuses, bad dates)', async () => {
      const all = (await request('GET', `${api(base)}/instances/?top=1000`)).json.length;
      for (const query of ['runtimeStatus=Sleepy', 'runtimeStatus=completed', 'createdTimeFrom=yesterday']) {
        const reply = await request('GET', `${api(base)}/instances/?${query}&top=1000`);
        assert.equal(reply.status, 200, `${query}: ${reply.text}`);
        assert.equal(reply.json.length, all, query);
      }
      assert.equal((await request('GET', `${api(base)}/instances/?top=many`)).status, 200);
      assert.deepEqual((await request('GET', `${api(base)}/instances/?runtimeStatus=Canceled`)).json, []);
    });

    it('every listed status has the DurableOrchestrationStatus shape', async () => {
      const reply = await request('GET', `${api(base)}/instances/?instanceIdPrefix=lst`);
      assert.equal(reply.json.length, batchA.length + batchB.length);
      for (const s of reply.json) {
        for (const key of ['name', 'instanceId', 'runtimeStatus', 'input', 'output', 'createdTime', 'lastUpdatedTime']) {
          assert.ok(key in s, `${key} in ${JSON.stringify(s)}`);
        }
        assert.match(s.createdTime, TIME_FORMAT);
        assert.match(s.lastUpdatedTime, TIME_FORMAT);
      }
    });
  });

  describe('paging with top and x-ms-continuation-token', () => {
    const pageIds: string[] = [];
    before(async () => {
      for (let i = 0; i < 12; i++) pageIds.push(await startOrchestration(base, 'ChildWithId', i, `page-${String(i).padStart(2, '0')}`));
      for (const id of pageIds) await waitForStatus(base, id, ['Completed']);
    });

    it('top=5 pages through 12 instances as 5 + 5 + 2, each id exactly once', async () => {
      const { pages, tokens } = await allPages(base, 'top=5&instanceIdPrefix=page-');
      assert.deepEqual(
        pages.map((p) => p.length),
        [5, 5, 2],
      );
      assert.equal(tokens.length, 2);
      const seen = pages.flat().map((s) => s.instanceId);
      assert.equal(new Set(seen).size, seen.length, `no duplicates: ${seen}`);
      assert.deepEqual([...seen].sort(), [...pageIds].sort());
    });

    it('pages with a status filter and without a prefix see every instance exactly once', async () => {
      const { pages } = await allPages(base, 'top=5&runtimeStatus=Completed');
      const seen = pages.flat().map((s) => s.instanceId);
      assert.equal(new Set(seen).size, seen.length);
      const expected = [...completed, ...batchB, ...pageIds].sort();
      assert.deepEqual([...seen].sort(), expected);
      for (const page of pages) assert.ok(page.length <= 5);
    });

    it('answers 500 for a garbage continuation token', async () => {
      const reply = await request('GET', `${api(base)}/instances/?top=5`, undefined, { 'x-ms-continuation-token': 'garbage!!' });
      assert.equal(reply.status, 500, reply.text);
      assert.equal(reply.json.Message, 'Something went wrong while processing your request');
    });
  });

  describe('GET instances/{id}', () => {
    it('answers 202 with Location and Retry-After while running, 200 once done', async () => {
      const id = await startOrchestration(base, 'WaitForApproval');
      await waitForStatus(base, id, ['Running']);
      const runningReply = await request('GET', `${api(base)}/instances/${id}`);
      assert.equal(runningReply.status, 202, runningReply.text);
      assert.equal(runningReply.json.runtimeStatus, 'Running');
      const location = runningReply.headers.get('location');
      assert.ok(location, 'Location header');
      assert.ok(location!.startsWith(`${base}/runtime/webhooks/durabletask/instances/${id}`), location!);
      assert.ok(Number(runningReply.headers.get('retry-after')) > 0, `Retry-After: ${runningReply.headers.get('retry-after')}`);
      // Following Location works.
      const followed = await request('GET', location!);
      assert.equal(followed.status, 202);
      assert.equal(followed.json.instanceId, id);

      await request('POST', `${api(base)}/instances/${id}/raiseEvent/Approval`, JSON.stringify('yes'));
      await waitForStatus(base, id, ['Completed']);
      const doneReply = await request('GET', `${api(base)}/instances/${id}`);
      assert.equal(doneReply.status, 200, doneReply.text);
      assert.equal(doneReply.json.output, 'yes');
      assert.equal(doneReply.headers.get('location'), null);
    });

    it('answers 200 for a Failed instance (500 only with returnInternalServerErrorOnFailure=true)', async () => {
      assert.equal((await request('GET', `${api(base)}/instances/${failed[0]}`)).status, 200);
      assert.equal((await request('GET', `${api(base)}/instances/${failed[0]}?returnInternalServerErrorOnFailure=true`)).status, 500);
    });

    it('answers 404 for an unknown instance', async () => {
      const reply = await request('GET', `${api(base)}/instances/nope-${Date.now()}`);
      assert.equal(reply.status, 404, reply.text);
    });

    it('has name, times as yyyy-MM-ddTHH:mm:ssZ, input and output (null allowed)', async () => {
      const s = await getStatus(base, completed[0]);
      assert.equal(s.name, 'HelloSequence');
      assert.equal(s.instanceId, completed[0]);
      assert.equal(s.runtimeStatus, 'Completed');
      assert.deepEqual(s.input, { i: 0 });
      assert.deepEqual(s.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
      assert.match(s.createdTime, TIME_FORMAT);
      assert.match(s.lastUpdatedTime, TIME_FORMAT);
      assert.ok(Date.parse(s.lastUpdatedTime) >= Date.parse(s.createdTime));
      assert.ok(!('historyEvents' in s), 'no history unless asked');

      const noInput = await getStatus(base, batchB[0]);
      assert.ok('input' in noInput && noInput.input === null, `input null: ${JSON.stringify(noInput)}`);
      const r = await getStatus(base, running);
      assert.ok('output' in r && r.output === null, `output null while running: ${JSON.stringify(r)}`);
      assert.equal((await getStatus(base, running, 'showInput=false')).input, null);
    });

    it('showHistory=true renders EventType names, folds TaskScheduled into TaskCompleted, and hides results', async () => {
      const s = await getStatus(base, completed[0], 'showHistory=true');
      const events: any[] = s.historyEvents;
      assert.ok(Array.isArray(events), JSON.stringify(s));
      const types = events.map((e) => e.EventType);
      assert.equal(types[0], 'ExecutionStarted', JSON.stringify(types));
      assert.equal(types[types.length - 1], 'ExecutionCompleted', JSON.stringify(types));
      assert.ok(!types.includes('OrchestratorStarted') && !types.includes('OrchestratorCompleted'), JSON.stringify(types));
      assert.ok(!types.includes('TaskScheduled'), `TaskScheduled folded into TaskCompleted: ${JSON.stringify(types)}`);
      for (const t of types) assert.equal(typeof t, 'string');
      const tasks = events.filter((e) => e.EventType === 'TaskCompleted');
      assert.equal(tasks.length, 3);
      for (const t of tasks) {
        assert.equal(t.FunctionName, 'SayHello');
        assert.ok(t.ScheduledTime && !Number.isNaN(Date.parse(t.ScheduledTime)), `ScheduledTime: ${JSON.stringify(t)}`);
        assert.ok(t.Timestamp && Date.parse(t.Timestamp) >= Date.parse(t.ScheduledTime), JSON.stringify(t));
        assert.ok(!('Result' in t), `no Result without showHistoryOutput: ${JSON.stringify(t)}`);
      }
      const started = events[0];
      assert.equal(started.FunctionName ?? started.Name, 'HelloSequence');
      assert.ok(!('Input' in started), 'no Input without showHistoryOutput');
    });

    it('showHistoryOutput=true adds the results', async () => {
      const s = await getStatus(base, completed[0], 'showHistory=true&showHistoryOutput=true');
      const tasks = s.historyEvents.filter((e: any) => e.EventType === 'TaskCompleted');
      assert.deepEqual(
        tasks.map((t: any) => t.Result),
        ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
      );
      const completedEvent = s.historyEvents.find((e: any) => e.EventType === 'ExecutionCompleted');
      assert.deepEqual(completedEvent.Result, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    });

    it('a failed activity appears as TaskFailed with its function name and the error', async () => {
      const s = await getStatus(base, failed[0], 'showHistory=true&showHistoryOutput=true');
      const taskFailed = s.historyEvents.find((e: any) => e.EventType === 'TaskFailed');
      assert.ok(taskFailed, JSON.stringify(s.historyEvents));
      assert.equal(taskFailed.FunctionName, 'AlwaysFail');
      assert.ok(taskFailed.ScheduledTime);
      assert.match(JSON.stringify(taskFailed), /boom/);
    });

    it('a running instance has its history so far', async () => {
      const s = await getStatus(base, running, 'showHistory=true');
      const types = s.historyEvents.map((e: any) => e.EventType);
      assert.equal(types[0], 'ExecutionStarted');
      assert.ok(!types.includes('ExecutionCompleted'));
    });
  });
});
