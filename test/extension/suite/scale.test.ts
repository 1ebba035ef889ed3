/**
 * The Instances view over 100,000 stored instances (seeded straight into a data folder, as bench/control.ts
 * does): the view pages (50 at a time), never lists everything, and a push redraws only what it touches.
 * Prints the timings; the asserts are about behaviour, with generous time bounds for slow machines.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Method } from '../../../emulator/protocol/control';
import type { RuntimeStatus } from '../../../emulator/protocol/durable';
import type { GroupNode, InstanceTreeNode } from '../../../src/instances/instanceModel';
import { extensionApi, tempDataFolder, uniqueId, waitFor, waitForTreeInstance } from './helpers';

// Test-only: the store seeds the data folder directly (the extension itself never imports emulator/host).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { openStore } = require('../../../emulator/host/storage/sqlStore') as typeof import('../../../emulator/host/storage/sqlStore');

const COUNT = Number(process.env.DURABLE_EXTENSION_SCALE_COUNT ?? 100_000);
const NAMES = ['HelloSequence', 'FanOutFanIn', 'TimerOnly', 'LongSequence'];
const T0 = Date.UTC(2024, 0, 1);

function statusOf(n: number): RuntimeStatus {
  const r = n % 20;
  return r < 14 ? 'Completed' : r < 16 ? 'Running' : r === 16 ? 'Failed' : r === 17 ? 'Terminated' : r === 18 ? 'Pending' : 'Suspended';
}

async function seed(dataDir: string): Promise<void> {
  const store = await openStore(dataDir, { checkpointBytes: 1 << 30 });
  for (let from = 0; from < COUNT; from += 5000) {
    const upsertInstances = [];
    for (let n = from; n < Math.min(COUNT, from + 5000); n++) {
      const status = statusOf(n);
      const created = T0 + n * 25_000;
      const done = status === 'Completed' || status === 'Failed' || status === 'Terminated';
      upsertInstances.push({
        instanceId: `seed-${n.toString().padStart(7, '0')}`,
        executionId: `x${n}`,
        name: NAMES[n % NAMES.length],
        version: '',
        runtimeStatus: status,
        input: JSON.stringify({ order: n }),
        output: status === 'Completed' ? JSON.stringify({ ok: true }) : null,
        customStatus: null,
        createdTime: created,
        lastUpdatedTime: created + 1000,
        completedTime: done ? created + 1000 : null,
        parentInstanceId: null,
        failureDetails: status === 'Failed' ? JSON.stringify({ ErrorType: 'Error', ErrorMessage: `order ${n} failed` }) : null,
        engineState: '{"nextSeq":3,"actions":[],"pending":{},"failed":{}}',
      });
    }
    await store.commit({ upsertInstances });
  }
  await store.checkpoint();
  await store.close();
}

suite(`Instances view over ${COUNT.toLocaleString('en')} instances`, function () {
  this.timeout(300_000);
  let dataDir: string;

  suiteSetup(async () => {
    dataDir = tempDataFolder();
    const t = Date.now();
    await seed(dataDir);
    console.log(`    seeded ${COUNT} instances in ${Date.now() - t} ms`);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('durable.stopEmulator');
  });

  test('pages instead of loading everything, and a push redraws only its group', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('durable.stopEmulator');
    await vscode.commands.executeCommand('durable.clearFilter');
    await vscode.commands.executeCommand('durable.groupByStatus');
    const appFolder = path.resolve(vscode.extensions.getExtension('durable-emulator.durable-functions-emulator')!.extensionPath, 'bench', 'app');
    let t = Date.now();
    const ok = await vscode.commands.executeCommand<boolean>('durable.startEmulator', { appFolder, port: 0, dataFolder: dataDir });
    assert.equal(ok, true, api.recentErrors().join('; '));
    console.log(`    emulator on ${COUNT} instances ready and connected in ${Date.now() - t} ms`);

    // Count what the view asks the emulator for.
    const requests: Array<{ method: Method; pageSize?: number }> = [];
    const original = api.session.request.bind(api.session);
    (api.session as { request: typeof original }).request = ((method: Method, params: never) => {
      requests.push({ method, pageSize: (params as { pageSize?: number })?.pageSize });
      return original(method, params);
    }) as typeof original;
    try {
      t = performance.now();
      const groups = ((await api.instances.getChildren()) ?? []) as GroupNode[];
      const rootMs = performance.now() - t;
      assert.deepEqual(groups.map((g) => g.key), ['Running', 'Pending', 'Suspended', 'Failed', 'Completed', 'Terminated']);
      const completed = groups.find((g) => g.key === 'Completed')!;
      assert.equal(completed.total, COUNT * 0.7);
      t = performance.now();
      let children = ((await api.instances.getChildren(completed)) ?? []) as InstanceTreeNode[];
      const firstPageMs = performance.now() - t;
      assert.equal(children.length, 51);
      t = performance.now();
      for (let i = 0; i < 4; i++) await api.instances.model.loadMore(completed);
      const morePagesMs = (performance.now() - t) / 4;
      children = ((await api.instances.getChildren(completed)) ?? []) as InstanceTreeNode[];
      assert.equal(children.length, 251);
      console.log(`    groups + totals ${rootMs.toFixed(1)} ms; first page ${firstPageMs.toFixed(1)} ms; next pages ${morePagesMs.toFixed(1)} ms each`);
      assert.ok(requests.every((r) => r.method !== 'instances.list' || (r.pageSize ?? 100) <= 50), 'never more than a page at a time');

      // A new instance: only the groups it passes through fire; the root list is not redrawn.
      const fired: Array<InstanceTreeNode | InstanceTreeNode[] | undefined> = [];
      const listener = api.instances.onDidChangeTreeData((e) => fired.push(e));
      requests.length = 0;
      const id = uniqueId('scale');
      t = performance.now();
      await vscode.commands.executeCommand('durable.startOrchestration', { name: 'HelloSequence', instanceId: id });
      await waitForTreeInstance(api, id, 'Completed');
      console.log(`    a new instance ran and showed as Completed in ${(performance.now() - t).toFixed(0)} ms; ${fired.length} change event(s); requests: ${requests.map((r) => r.method).join(', ')}`);
      listener.dispose();
      assert.ok(!fired.includes(undefined), 'no full redraw');
      assert.ok(requests.every((r) => r.method !== 'instances.list' || (r.pageSize ?? 100) <= 50));
      await waitFor('the recount to settle', () => completed.total === COUNT * 0.7 + 1, 30_000);
    } finally {
      (api.session as { request: unknown }).request = original;
    }
  });
});
