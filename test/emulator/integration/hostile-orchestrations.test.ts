/**
 * Orchestrators that ask for too much (issue 9 §3): a fan-out of 1e9 (the worker runs out of its heap),
 * one of 150,000 (past the actions-per-episode limit), an episode that never ends (the episode time limit),
 * a timer no date can hold. Each fails its own instance with a clear message, once (not at every restart);
 * the other instances carry on, and a terminate of a hung instance takes effect.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunningEmulator, startEmulator } from '../support/emulatorProcess';
import { api, getStatus, request, startOrchestration, waitForStatus } from '../support/httpClient';
import { copyFixtureApp, removeAppCopies } from '../support/tempApp';

const FINISHED = ['Completed', 'Failed', 'Terminated'];

const HOSTILE_FUNCTIONS = `const df = require('durable-functions');
df.app.orchestration('FanOut', function* (context) {
  const tasks = [];
  for (let i = 0; i < context.df.getInput(); i++) tasks.push(context.df.callActivity('SayHello', String(i)));
  return (yield context.df.Task.all(tasks)).length;
});
df.app.orchestration('Forever', function* () {
  for (;;);
});
df.app.orchestration('FarTimer', function* (context) {
  if (context.df.getInput() === 'after an activity') yield context.df.callActivity('SayHello', 'first');
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1e16));
  return 'never';
});
`;

async function assertHelloCompletes(emu: RunningEmulator): Promise<void> {
  const id = await startOrchestration(emu.http, 'HelloSequence');
  const status = await waitForStatus(emu.http, id, FINISHED, 60_000);
  assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
}

describe('hostile-orchestrations: limits fail the instance that breaks them (worker heap 192 MB)', () => {
  let emu: RunningEmulator;
  let app: string;
  before(async function () {
    this.timeout(90_000);
    app = copyFixtureApp('scenarios');
    fs.writeFileSync(path.join(app, 'src', 'functions', 'hostile.js'), HOSTILE_FUNCTIONS);
    emu = await startEmulator({ app, args: ['--worker-heap', '192'] });
  });
  after(async () => {
    await emu?.stop();
    removeAppCopies(app);
  });

  it('fanOut(1e9): the worker runs out of its heap, that instance fails saying so, another instance completes', async function () {
    this.timeout(120_000);
    const bomb = await startOrchestration(emu.http, 'FanOut', 1e9);
    const bystander = await startOrchestration(emu.http, 'HelloSequence');
    const status = await waitForStatus(emu.http, bomb, FINISHED, 100_000);
    assert.equal(status.runtimeStatus, 'Failed', JSON.stringify(status));
    assert.match(status.output, /ran out of memory \(the worker's heap is limited to 192 MB\)/);
    assert.match(status.output, /FanOut/);
    assert.equal((await waitForStatus(emu.http, bystander, FINISHED, 60_000)).runtimeStatus, 'Completed');
    await assertHelloCompletes(emu);
  });

  it('fanOut(150000) fails at the actions-per-episode limit without running any activity', async function () {
    this.timeout(120_000);
    const id = await startOrchestration(emu.http, 'FanOut', 150_000);
    const status = await waitForStatus(emu.http, id, FINISHED, 100_000);
    assert.equal(status.runtimeStatus, 'Failed', JSON.stringify(status).slice(0, 500));
    assert.match(status.output, /scheduled 150000 actions in one episode; the emulator allows at most 100000/);
    const history = (await getStatus(emu.http, id, 'showHistory=true')).historyEvents;
    assert.ok(!history.some((e: any) => e.EventType === 'TaskScheduled' || e.EventType === 'TaskCompleted'), 'no activity was scheduled');
  });

  for (const input of ['at once', 'after an activity']) {
    it(`a timer at 1e16 ms (${input}) fails its instance with a clear message (no RangeError, not Pending forever)`, async () => {
      const id = await startOrchestration(emu.http, 'FarTimer', JSON.stringify(input));
      const status = await waitForStatus(emu.http, id, FINISHED, 30_000);
      assert.equal(status.runtimeStatus, 'Failed', JSON.stringify(status));
      assert.match(status.output, /timer that fires at .*not a representable date/);
      assert.ok(!emu.logs.some((l) => /RangeError/.test(l)), emu.logs.filter((l) => /RangeError/.test(l)).join('\n'));
    });
  }

  it('an episode that never ends fails at the episode time limit; the others carry on', async function () {
    this.timeout(120_000);
    const id = await startOrchestration(emu.http, 'Forever');
    const bystander = await startOrchestration(emu.http, 'HelloSequence');
    const status = await waitForStatus(emu.http, id, FINISHED, 100_000);
    assert.equal(status.runtimeStatus, 'Failed', JSON.stringify(status));
    assert.match(status.output, /ran one episode for more than 10s \(the episode time limit\)/);
    assert.equal((await waitForStatus(emu.http, bystander, FINISHED, 60_000)).runtimeStatus, 'Completed');
  });

  it('a terminate of an instance whose episode hangs takes effect without waiting for the time limit', async function () {
    this.timeout(60_000);
    const id = await startOrchestration(emu.http, 'Forever');
    assert.equal((await request('POST', `${api(emu.http)}/instances/${id}/terminate?reason=stuck`)).status, 202);
    // Terminated, not Failed: the terminate cut the episode short before the time limit could fail it.
    const status = await waitForStatus(emu.http, id, FINISHED, 50_000);
    assert.equal(status.runtimeStatus, 'Terminated', JSON.stringify(status));
    assert.equal(status.output, 'stuck');
    await assertHelloCompletes(emu);
  });
});
