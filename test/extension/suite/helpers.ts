/** Shared by the extension integration tests: the extension's API, a fresh emulator, waiting on the trees. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { InstanceSummary } from '../../../emulator/protocol/control';
import type { RuntimeStatus } from '../../../emulator/protocol/durable';
import type { DurableExtensionApi } from '../../../src/extension';
import type { GroupNode, InstanceNode, InstanceTreeNode } from '../../../src/instances/instanceModel';

export const EXTENSION_ID = 'durable-emulator.durable-functions-emulator';

export async function extensionApi(): Promise<DurableExtensionApi> {
  const extension = vscode.extensions.getExtension<DurableExtensionApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not loaded`);
  return extension.isActive ? extension.exports : extension.activate();
}

/** The workspace folder the runner opened (the fixture app). */
export function appFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need the fixture workspace open');
  return folder.uri.fsPath;
}

export function tempDataFolder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dfe-ext-data-'));
}

/** Starts the emulator on a free port with a fresh data folder (through the command, as a user would). */
export async function startEmulator(api: DurableExtensionApi, dataFolder = tempDataFolder()): Promise<string> {
  const ok = await vscode.commands.executeCommand<boolean>('durable.startEmulator', { appFolder: appFolder(), port: 0, dataFolder });
  assert.equal(ok, true, `the emulator did not start: ${api.recentErrors().join('; ')}`);
  assert.equal(api.session.currentState, 'running');
  return dataFolder;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The Instances tree as the view would ask for it: groups and their loaded children. */
export async function treeSnapshot(api: DurableExtensionApi): Promise<Map<string, InstanceTreeNode[]>> {
  const provider = api.instances;
  const out = new Map<string, InstanceTreeNode[]>();
  for (const group of ((await provider.getChildren()) ?? []) as GroupNode[]) {
    out.set(group.key, ((await provider.getChildren(group)) ?? []) as InstanceTreeNode[]);
  }
  return out;
}

/** Waits until the tree shows the instance in the group (a status when grouped by status). */
export function waitForTreeInstance(api: DurableExtensionApi, instanceId: string, groupKey: string, timeoutMs = 15_000): Promise<InstanceNode> {
  return waitFor(`${instanceId} under ${groupKey} in the Instances tree`, async () => {
    const items = (await treeSnapshot(api)).get(groupKey) ?? [];
    return items.find((n): n is InstanceNode => n.kind === 'instance' && n.summary.instanceId === instanceId);
  }, timeoutMs);
}

export async function startOrchestration(name: string, input?: unknown, instanceId?: string): Promise<InstanceSummary> {
  const summary = await vscode.commands.executeCommand<InstanceSummary | undefined>('durable.startOrchestration', { name, input, instanceId });
  assert.ok(summary, `starting ${name} failed`);
  return summary;
}

export async function instanceStatus(api: DurableExtensionApi, instanceId: string): Promise<RuntimeStatus> {
  return (await api.session.request('instances.get', { instanceId })).runtimeStatus;
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
