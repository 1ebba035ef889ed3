/**
 * Purge by filter of live instances, as the Durable extension does it (DurableTask.AzureStorage keeps only the
 * finished statuses of runtimeStatus and, with none left, filters on no status): the instance goes with its
 * queued messages, timers, work in flight and a running episode, and nothing brings it back.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunningEmulator, fixtureApp, startEmulator, tempDir } from '../support/emulatorProcess';
import { api, getStatus, request, startOrchestration, waitFor, waitForStatus } from '../support/httpClient';

/** The time before which nothing of the test was created. */
async function mark(): Promise<Date> {
  const from = new Date();
  await waitFor(() => Date.now() > from.getTime(), 'a clock tick');
  return from;
}

/** Starts `name` with a gate file (see gated.js) and waits until its function runs and holds. */
async function startGated(base: string, name: string, gate: string, instanceId?: string): Promise<string> {
  const id = await startOrchestration(base, name, JSON.stringify(gate), instanceId);
  await waitFor(() => fs.existsSync(`${gate}.started`), `${name} to start`);
  return id;
}

async function purgeBy(base: string, query: string, count: number): Promise<void> {
  const reply = await request('DELETE', `${api(base)}/instances/?${query}`);
  assert.equal(reply.status, 200, reply.text);
  assert.deepEqual(reply.json, { instancesDeleted: count }, query);
}

async function isGone(base: string, id: string): Promise<boolean> {
  return (await request('GET', `${api(base)}/instances/${id}`)).status === 404;
}

/** Opens the gate and waits until `fn` has finished and another instance has run to the end since. */
async function release(emu: RunningEmulator, gate: string, fn: string): Promise<void> {
  const done = () => emu.logs.filter((l) => new RegExp(`Executed 'Functions\\.${fn}' \\(Succeeded`).test(l)).length;
  const before = done();
  fs.writeFileSync(gate, '');
  await waitFor(() => done() > before, `${fn} to finish`);
  const other = await startOrchestration(emu.http, 'HelloSequence');
  await waitForStatus(emu.http, other, ['Completed']);
}

describe('api: purge by filter of live instances', () => {
  let emu: RunningEmulator | undefined;
  afterEach(async () => {
    await emu?.stop();
    emu = undefined;
  });

  it('without runtimeStatus: a Running instance with an activity in flight and a timer pending is purged, and stays gone', async () => {
    const app = fixtureApp('scenarios');
    const dataDir = tempDir();
    const gate = path.join(tempDir(), 'gate');
    emu = await startEmulator({ app, dataDir });
    const kept = await startOrchestration(emu.http, 'WaitForApproval');
    await waitForStatus(emu.http, kept, ['Running']);
    const from = await mark();
    const id = await startGated(emu.http, 'GatedWithTimer', gate);
    const history = (await getStatus(emu.http, id, 'showHistory=true')).historyEvents.map((e: { EventType: string }) => e.EventType);
    assert.ok(history.includes('TimerCreated') && history.includes('TaskScheduled'), `a timer and an activity: ${history}`);

    await purgeBy(emu.http, `createdTimeFrom=${from.toISOString()}`, 1);
    assert.ok(await isGone(emu.http, id));
    await release(emu, gate, 'WaitForGate');
    assert.ok(await isGone(emu.http, id), 'its activity completed: still gone');
    assert.equal((await getStatus(emu.http, kept)).runtimeStatus, 'Running', 'created before createdTimeFrom: kept');

    await emu.stop();
    emu = await startEmulator({ app, dataDir });
    const probe = await startOrchestration(emu.http, 'HelloSequence');
    await waitForStatus(emu.http, probe, ['Completed']);
    assert.ok(await isGone(emu.http, id), 'gone after a restart');
    const listed = (await request('GET', `${api(emu.http)}/instances`)).json.map((s: { instanceId: string }) => s.instanceId);
    assert.ok(!listed.includes(id), 'not listed after a restart');
    assert.ok(!emu.logs.some((l) => /Functions\.WaitForGate/.test(l)), 'its work did not run again after the restart');
    assert.equal((await getStatus(emu.http, kept)).runtimeStatus, 'Running');
  });

  it('with only live statuses in runtimeStatus there is no status filter; with a finished one, live instances stay', async () => {
    emu = await startEmulator({ app: fixtureApp('scenarios') });
    const gate = path.join(tempDir(), 'gate');
    const from = await mark();
    const id = await startGated(emu.http, 'GatedWithTimer', gate);
    const done = await startOrchestration(emu.http, 'HelloSequence');
    await waitForStatus(emu.http, done, ['Completed']);

    await purgeBy(emu.http, `createdTimeFrom=${from.toISOString()}&runtimeStatus=Completed,Running`, 1);
    assert.ok(await isGone(emu.http, done), 'Completed: purged');
    assert.equal((await getStatus(emu.http, id)).runtimeStatus, 'Running', 'Running left out of a filter with a finished status');

    await purgeBy(emu.http, `createdTimeFrom=${from.toISOString()}&runtimeStatus=Running`, 1);
    assert.ok(await isGone(emu.http, id));
    await release(emu, gate, 'WaitForGate');
    assert.ok(await isGone(emu.http, id));
  });

  it("an instance whose episode is running when it is purged: the episode's result is dropped", async () => {
    emu = await startEmulator({ app: fixtureApp('scenarios') });
    const gate = path.join(tempDir(), 'gate');
    const from = await mark();
    const id = await startGated(emu.http, 'GatedEpisode', gate);
    await purgeBy(emu.http, `createdTimeFrom=${from.toISOString()}`, 1);
    await release(emu, gate, 'GatedEpisode');
    assert.ok(await isGone(emu.http, id), 'not brought back by its episode');
  });

  it("purged and started again under the same id: the old activity's late completion does not reach the new execution", async () => {
    emu = await startEmulator({ app: fixtureApp('scenarios') });
    const gates = tempDir();
    const from = await mark();
    const id = await startGated(emu.http, 'GatedWithTimer', path.join(gates, 'old'));
    await purgeBy(emu.http, `createdTimeFrom=${from.toISOString()}`, 1);
    assert.equal(await startGated(emu.http, 'GatedWithTimer', path.join(gates, 'new'), id), id);

    await release(emu, path.join(gates, 'old'), 'WaitForGate');
    assert.equal((await getStatus(emu.http, id)).runtimeStatus, 'Running', 'the new execution still waits for its own activity');
    await release(emu, path.join(gates, 'new'), 'WaitForGate');
    assert.equal((await waitForStatus(emu.http, id, ['Completed'])).output, 'released');
  });
});
