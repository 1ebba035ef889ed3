/**
 * The Instances view and the instance commands against a real emulator: live pushes into the tree, the
 * lifecycle commands, grouping, filter, paging, purge, copy, and errors surfaced with the emulator's message.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as vscode from 'vscode';
import type { InstanceSummary } from '../../../emulator/protocol/control';
import type { DurableExtensionApi } from '../../../src/extension';
import type { GroupNode, InstanceNode, InstanceTreeNode } from '../../../src/instances/instanceModel';
import {
  extensionApi,
  instanceStatus,
  startEmulator,
  startOrchestration,
  treeSnapshot,
  uniqueId,
  waitFor,
  waitForTreeInstance,
} from './helpers';

function getJson(url: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      })
      .on('error', reject);
  });
}

suite('instances view and commands', () => {
  let api: DurableExtensionApi;

  suiteSetup(async () => {
    api = await extensionApi();
    await vscode.commands.executeCommand('durable.stopEmulator');
    await startEmulator(api);
    await vscode.commands.executeCommand('durable.groupByStatus');
    await vscode.commands.executeCommand('durable.clearFilter');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('durable.clearFilter');
    await vscode.commands.executeCommand('durable.groupByStatus');
    await vscode.commands.executeCommand('durable.stopEmulator');
  });

  test('a started orchestration shows up live and completes in the tree, with icon, description and tooltip', async () => {
    await api.instances.getChildren(); // The view has drawn once: from now on only pushes update it.
    const fired: Array<InstanceTreeNode | InstanceTreeNode[] | undefined> = [];
    const listener = api.instances.onDidChangeTreeData((e) => fired.push(e));
    const id = uniqueId('hello');
    const summary = await startOrchestration('Hello', 'Tokyo', id);
    assert.equal(summary.instanceId, id);
    const node = await waitForTreeInstance(api, id, 'Completed');
    listener.dispose();
    const item = api.instances.getTreeItem(node);
    assert.equal(item.label, id);
    assert.equal(item.contextValue, 'instance.Completed');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'check');
    assert.match(String(item.description), /^Hello · (just now|\d+s ago) · \d/);
    const tip = (item.tooltip as vscode.MarkdownString).value;
    assert.match(tip, /"Tokyo"/, 'the tooltip previews the input');
    assert.match(tip, /Hello Tokyo/, 'and the output');
    assert.ok(fired.length > 0, 'pushes fire change events');
  });

  test('pushes fire only the groups and items they touch once the groups exist', async () => {
    const first = uniqueId('warm');
    await startOrchestration('Hello', 'x', first);
    await waitForTreeInstance(api, first, 'Completed');
    await waitFor('the Running/Pending groups to settle', async () => !(await treeSnapshot(api)).has('Pending'));
    const fired: Array<InstanceTreeNode | InstanceTreeNode[] | undefined> = [];
    const listener = api.instances.onDidChangeTreeData((e) => fired.push(e));
    const id = uniqueId('hello');
    const started = Date.now();
    await startOrchestration('Hello', 'y', id);
    await waitForTreeInstance(api, id, 'Completed');
    console.log(`    start → completed and visible in the tree: ${Date.now() - started} ms; ${fired.length} change event(s)`);
    listener.dispose();
    for (const e of fired) {
      if (e === undefined) continue; // A group (Pending/Running) appearing or emptying changes the root list.
      for (const n of Array.isArray(e) ? e : [e]) assert.ok(n.kind === 'group' || n.kind === 'instance', `fired ${n.kind}`);
    }
    // Landing in Completed fires that group, unless the same push also emptied a Running/Pending group that showed
    // meanwhile (a slow machine shows them): then the root is redrawn, the Completed group with it.
    const completedFires = fired.filter((e) => e !== undefined && (Array.isArray(e) ? e : [e]).some((n) => n.kind === 'group' && n.key === 'Completed'));
    const rootRedrawn = fired.length > 0 && fired[fired.length - 1] === undefined;
    assert.ok(completedFires.length >= 1 || rootRedrawn, 'the Completed group is redrawn when the instance lands in it');
  });

  test('an instance is in the tree within 100 ms of the push that reports it', async () => {
    const id = uniqueId('latency');
    let pushedAt = 0;
    const sub = api.session.onDidPush((m) => {
      if (m.topic === 'instances' && !pushedAt && m.changed.some((s) => s.instanceId === id)) pushedAt = performance.now();
    });
    let visibleAt = 0;
    const seen = api.instances.onDidChangeTreeData(async () => {
      if (visibleAt) return;
      const snap = await treeSnapshot(api);
      if ([...snap.values()].flat().some((n) => n.kind === 'instance' && n.summary.instanceId === id)) visibleAt = performance.now();
    });
    await startOrchestration('WaitForever', undefined, id);
    await waitFor('the instance to be drawn', () => visibleAt > 0);
    sub.dispose();
    seen.dispose();
    const ms = visibleAt - pushedAt;
    console.log(`    push → in the tree: ${ms.toFixed(1)} ms`);
    assert.ok(ms < 100, `took ${ms} ms`);
    await vscode.commands.executeCommand('durable.terminate', { instanceId: id, reason: 'cleanup' });
  });

  test('Raise Event completes an instance waiting for it; waitingEvents lists the name', async () => {
    const id = uniqueId('approval');
    await startOrchestration('Approval', undefined, id);
    const running = await waitForTreeInstance(api, id, 'Running');
    assert.equal(api.instances.getTreeItem(running).contextValue, 'instance.Running');
    assert.equal((api.instances.getTreeItem(running).iconPath as vscode.ThemeIcon).id, 'sync~spin');
    await waitFor('the instance to wait for Approval', async () =>
      (await api.session.request('instances.waitingEvents', { instanceId: id })).eventNames.includes('Approval'),
    );
    const tip = (api.instances.getTreeItem((await waitForTreeInstance(api, id, 'Running')) as InstanceNode).tooltip as vscode.MarkdownString).value;
    assert.match(tip, /Custom status/);
    assert.equal(await vscode.commands.executeCommand('durable.raiseEvent', { instanceId: id, eventName: 'Approval', data: true }), true);
    await waitForTreeInstance(api, id, 'Completed');
    const detail = await api.session.request('instances.get', { instanceId: id });
    assert.deepEqual(detail.output, { approved: true });
  });

  test('Suspend, Resume and Terminate move the instance between groups', async () => {
    const id = uniqueId('forever');
    await startOrchestration('WaitForever', undefined, id);
    await waitForTreeInstance(api, id, 'Running');
    await vscode.commands.executeCommand('durable.suspend', id);
    const suspended = await waitForTreeInstance(api, id, 'Suspended');
    assert.equal(api.instances.getTreeItem(suspended).contextValue, 'instance.Suspended');
    assert.equal((api.instances.getTreeItem(suspended).iconPath as vscode.ThemeIcon).id, 'debug-pause');
    await vscode.commands.executeCommand('durable.resume', { instanceId: id });
    await waitForTreeInstance(api, id, 'Running');
    await vscode.commands.executeCommand('durable.terminate', { instanceId: id, reason: 'enough' });
    const terminated = await waitForTreeInstance(api, id, 'Terminated');
    assert.equal((api.instances.getTreeItem(terminated).iconPath as vscode.ThemeIcon).id, 'circle-slash');
    assert.equal(await instanceStatus(api, id), 'Terminated');
    const running = (await treeSnapshot(api)).get('Running') ?? [];
    assert.ok(!running.some((n) => n.kind === 'instance' && n.summary.instanceId === id), 'it left the Running group');
  });

  test('Rewind retries a failed instance to completion', async () => {
    const id = uniqueId('fails');
    await startOrchestration('FailsOnce', undefined, id);
    const failed = await waitForTreeInstance(api, id, 'Failed');
    const item = api.instances.getTreeItem(failed);
    assert.equal(item.contextValue, 'instance.Failed');
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'error');
    assert.match((item.tooltip as vscode.MarkdownString).value, /first attempt/);
    await vscode.commands.executeCommand('durable.rewind', { instanceId: id });
    await waitForTreeInstance(api, id, 'Completed');
  });

  test('Restart with a new id starts a fresh instance with the same input', async () => {
    const id = uniqueId('restart');
    await startOrchestration('Hello', 'Paris', id);
    await waitForTreeInstance(api, id, 'Completed');
    const fresh = await vscode.commands.executeCommand<InstanceSummary>('durable.restart', { instanceId: id, newInstanceId: true });
    assert.ok(fresh && fresh.instanceId !== id);
    await waitForTreeInstance(api, fresh.instanceId, 'Completed');
    assert.equal((await api.session.request('instances.get', { instanceId: fresh.instanceId })).input, 'Paris');
  });

  test('Copy Instance Id and Copy Status URL (the URL answers the Durable HTTP API)', async () => {
    const id = uniqueId('copy');
    await startOrchestration('Hello', 'Oslo', id);
    await waitForTreeInstance(api, id, 'Completed');
    await vscode.commands.executeCommand('durable.copyInstanceId', id);
    assert.equal(await vscode.env.clipboard.readText(), id);
    const url = await vscode.commands.executeCommand<string>('durable.copyStatusUrl', id);
    assert.equal(await vscode.env.clipboard.readText(), url);
    assert.equal(url, `${api.session.connection!.http}/runtime/webhooks/durabletask/instances/${id}`);
    const res = await getJson(url!);
    assert.equal(res.status, 200);
    assert.equal(res.body.instanceId, id);
    assert.equal(res.body.runtimeStatus, 'Completed');
  });

  test('group by orchestrator, then back by status', async () => {
    await vscode.commands.executeCommand('durable.groupByOrchestrator');
    assert.equal(api.instances.groupBy, 'orchestrator');
    const groups = ((await api.instances.getChildren()) ?? []) as GroupNode[];
    assert.ok(groups.some((g) => g.key === 'Hello'));
    assert.ok(groups.every((g) => ['Approval', 'FailsOnce', 'FanOut', 'Hello', 'Parent', 'WaitForever'].includes(g.key)));
    const hello = groups.find((g) => g.key === 'Hello')!;
    const items = ((await api.instances.getChildren(hello)) ?? []) as InstanceTreeNode[];
    assert.ok(items.length > 0 && items.every((n) => n.kind !== 'instance' || n.summary.name === 'Hello'));
    const first = items.find((n): n is InstanceNode => n.kind === 'instance')!;
    assert.match(String(api.instances.getTreeItem(first).description), /^Completed · /);
    // Live updates reach this grouping too.
    const id = uniqueId('grouped');
    await startOrchestration('Hello', 'Rome', id);
    await waitFor('the new instance under Hello', async () => {
      const node = (((await api.instances.getChildren(hello)) ?? []) as InstanceTreeNode[]).find(
        (n): n is InstanceNode => n.kind === 'instance' && n.summary.instanceId === id,
      );
      return node?.summary.runtimeStatus === 'Completed';
    });
    await vscode.commands.executeCommand('durable.groupByStatus');
    assert.equal(api.instances.groupBy, 'status');
  });

  test('filter by id prefix and status; pushes outside the filter stay out', async () => {
    const prefix = uniqueId('flt');
    const a = await startOrchestration('Hello', 'a', `${prefix}-a`);
    await vscode.commands.executeCommand('durable.filterInstances', { idPrefix: prefix });
    assert.deepEqual(api.instances.filter, { idPrefix: prefix });
    await waitForTreeInstance(api, a.instanceId, 'Completed');
    const outside = uniqueId('outside');
    await startOrchestration('Hello', 'b', outside);
    const b = await startOrchestration('Hello', 'b', `${prefix}-b`);
    await waitForTreeInstance(api, b.instanceId, 'Completed');
    const all = [...(await treeSnapshot(api)).values()].flat();
    assert.ok(all.every((n) => n.kind !== 'instance' || n.summary.instanceId.startsWith(prefix)), 'only matching instances');
    await vscode.commands.executeCommand('durable.filterInstances', { idPrefix: prefix, statuses: ['Failed'] });
    assert.deepEqual([...(await treeSnapshot(api)).keys()], []);
    await vscode.commands.executeCommand('durable.clearFilter');
    assert.deepEqual(api.instances.filter, {});
  });

  test('pages of 50 with Load more, totals in the group description', async () => {
    const prefix = uniqueId('page');
    const count = 120;
    // Straight through the protocol: the point here is the view's paging, not the command's prompts.
    await Promise.all(Array.from({ length: count }, (_, i) => api.session.request('instances.start', { name: 'WaitForever', instanceId: `${prefix}-${String(i).padStart(3, '0')}` })));
    await vscode.commands.executeCommand('durable.filterInstances', { idPrefix: prefix, statuses: ['Running', 'Pending'] });
    await waitFor(`${count} instances running`, async () => {
      const running = (await api.session.request('instances.list', { filter: { instanceIdPrefix: prefix, runtimeStatus: ['Running'] }, pageSize: 1 })).total;
      return running === count;
    }, 30_000);
    await vscode.commands.executeCommand('durable.refresh');
    const groups = ((await api.instances.getChildren()) ?? []) as GroupNode[];
    assert.deepEqual(groups.map((g) => g.key), ['Running']);
    const running = groups[0];
    let children = ((await api.instances.getChildren(running)) ?? []) as InstanceTreeNode[];
    assert.equal(children.length, 51, '50 instances and a Load more row');
    assert.equal(children[50].kind, 'more');
    assert.equal(api.instances.getTreeItem(running).description, String(count));
    assert.equal(api.instances.getTreeItem(children[50]).description, `50 of ${count}`);
    assert.equal(api.instances.getTreeItem(children[50]).command?.command, 'durable.loadMore');
    await vscode.commands.executeCommand('durable.loadMore', running);
    children = ((await api.instances.getChildren(running)) ?? []) as InstanceTreeNode[];
    assert.equal(children.length, 101);
    await vscode.commands.executeCommand('durable.loadMore', running);
    children = ((await api.instances.getChildren(running)) ?? []) as InstanceTreeNode[];
    assert.equal(children.length, count, 'the last page has no Load more row');
    const ids = children.map((n) => (n as InstanceNode).summary.instanceId);
    assert.equal(new Set(ids).size, count, 'no duplicates across pages');

    // Terminating them all moves them out of Running as the pushes arrive.
    await Promise.all(ids.map((instanceId) => api.session.request('instances.terminate', { instanceId })));
    await waitFor('the Running group to empty', async () => ((await api.instances.getChildren()) ?? []).length === 0, 30_000);
    await vscode.commands.executeCommand('durable.clearFilter');
  });

  test('Purge one, then Purge by filter', async () => {
    const id = uniqueId('purge');
    await startOrchestration('Hello', 'z', id);
    await waitForTreeInstance(api, id, 'Completed');
    assert.equal(await vscode.commands.executeCommand('durable.purge', id), 1);
    await waitFor('the purged instance to leave the tree', async () =>
      !((await treeSnapshot(api)).get('Completed') ?? []).some((n) => n.kind === 'instance' && n.summary.instanceId === id),
    );
    const deleted = await vscode.commands.executeCommand<number>('durable.purgeByFilter', { filter: { runtimeStatus: ['Terminated'] }, confirm: false });
    assert.ok(deleted && deleted >= 1);
    await waitFor('the Terminated group to go', async () => !(await treeSnapshot(api)).has('Terminated'));
    assert.equal((await api.session.request('instances.list', { filter: { runtimeStatus: ['Terminated'] }, pageSize: 1 })).total, 0);
  });

  test("the emulator's errors become notifications with its message", async () => {
    const before = api.recentErrors().length;
    const result = await vscode.commands.executeCommand('durable.startOrchestration', { name: 'NoSuchOrchestrator' });
    assert.equal(result, undefined);
    const errors = api.recentErrors().slice(before);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /NoSuchOrchestrator/);
    await vscode.commands.executeCommand('durable.raiseEvent', { instanceId: 'does-not-exist', eventName: 'X' });
    assert.match(api.recentErrors().at(-1)!, /does-not-exist|not found|no instance/i);
  });
});
