/**
 * The Instances model against a scripted emulator whose answers and pushes arrive in the orders the
 * real host can produce: a reply computed after a change may reach the extension before the push of
 * that change (pushes wait for the host's flush). Group totals must end up right whatever the order.
 */
import * as assert from 'node:assert/strict';
import type { InstanceSummary, Method, Params, Result } from '../../../emulator/protocol/control';
import type { RuntimeStatus } from '../../../emulator/protocol/durable';
import { GroupNode, InstanceModel } from '../../../src/instances/instanceModel';
import { instanceSummary } from '../../support/instanceSummary';
import { waitFor } from './helpers';

class ScriptedEmulator {
  readonly instances = new Map<string, InstanceSummary>();
  requests: Method[] = [];

  set(instanceId: string, runtimeStatus: RuntimeStatus, createdMs: number): InstanceSummary {
    const summary = { ...instanceSummary(instanceId, runtimeStatus, new Date(createdMs).toISOString()), name: 'Hello' };
    this.instances.set(instanceId, summary);
    return summary;
  }

  readonly request = (async <M extends Method>(method: M, params: Params<M>): Promise<Result<M>> => {
    this.requests.push(method);
    const all = [...this.instances.values()];
    if (method === 'status') {
      const counts: Partial<Record<RuntimeStatus, number>> = {};
      for (const s of all) counts[s.runtimeStatus] = (counts[s.runtimeStatus] ?? 0) + 1;
      return { counts } as unknown as Result<M>;
    }
    if (method === 'instances.list') {
      const { filter } = params as Params<'instances.list'>;
      const matching = all
        .filter((s) => !filter?.runtimeStatus || filter.runtimeStatus.includes(s.runtimeStatus))
        .sort((a, b) => (a.createdTime < b.createdTime ? 1 : -1));
      return { instances: matching, total: matching.length, continuationToken: null } as unknown as Result<M>;
    }
    throw new Error(`unexpected ${method}`);
  }) as <M extends Method>(method: M, params: Params<M>) => Promise<Result<M>>;
}

suite('Instances model: totals under reordered replies and pushes', () => {
  let model: InstanceModel;
  teardown(() => model?.dispose());

  async function groups(): Promise<Map<string, GroupNode>> {
    const roots = await model.roots();
    for (const group of roots) await model.children(group);
    return new Map(roots.map((g) => [g.key, g]));
  }

  test('a recount that already counted a move, then the push of that move: the totals settle right', async () => {
    const emulator = new ScriptedEmulator();
    emulator.set('done-1', 'Completed', 1000);
    emulator.set('done-2', 'Completed', 2000);
    emulator.set('running-1', 'Running', 3000);
    model = new InstanceModel(emulator.request, () => true, () => ['Hello']);
    const byKey = await groups();
    assert.equal(byKey.get('Completed')!.total, 2);

    // A new instance shows up running (a push); the model puts it in the loaded Running group. It
    // completes in the emulator at once, so the recount this push schedules reads the new counts
    // before the push saying so has been flushed.
    const fresh = emulator.set('fresh', 'Running', 4000);
    model.applyPush([fresh], []);
    const completed = { ...fresh, runtimeStatus: 'Completed' as const };
    emulator.instances.set('fresh', completed);
    assert.equal(model.find('fresh')?.group.key, 'Running');
    await waitFor('the first recount', () => byKey.get('Completed')!.total === 3 && byKey.get('Running')!.total === 1, 10_000);

    // Now the push of that completion: moving the node alone would count it twice.
    model.applyPush([completed], []);
    await waitFor('the totals to settle at Completed 3, Running 1', () => byKey.get('Completed')!.total === 3 && byKey.get('Running')!.total === 1, 10_000);
    const ids = async (key: string) => (await model.children(byKey.get(key)!)).map((n) => (n.kind === 'instance' ? n.summary.instanceId : '…'));
    assert.deepEqual(await ids('Completed'), ['fresh', 'done-2', 'done-1']);
    assert.deepEqual(await ids('Running'), ['running-1']);
  });

  test('a recount that fails is tried again', async () => {
    const emulator = new ScriptedEmulator();
    emulator.set('done-1', 'Completed', 1000);
    let failNext = false;
    const request = (<M extends Method>(method: M, params: Params<M>) => {
      if (method === 'status' && failNext) {
        failNext = false;
        emulator.requests.push(method);
        return Promise.reject(new Error('timed out'));
      }
      return emulator.request(method, params);
    }) as typeof emulator.request;
    model = new InstanceModel(request, () => true, () => ['Hello']);
    const byKey = await groups();
    failNext = true;
    emulator.set('elsewhere', 'Completed', 5000);
    // An instance never paged in changes status behind the view: only a recount finds the new total.
    model.applyPush([{ ...emulator.instances.get('elsewhere')!, runtimeStatus: 'Completed' }], []);
    await waitFor('a second recount after the failed one', () => byKey.get('Completed')!.total === 2, 10_000);
  });
});
