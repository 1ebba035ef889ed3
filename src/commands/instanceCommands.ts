/**
 * Commands on one instance: Terminate, Suspend, Resume, Rewind, Restart, Purge, Copy Instance Id,
 * Copy Status URL. Each takes a tree node, an id, or `{ instanceId, reason, ... }`; without one it
 * offers the instances in the statuses the operation applies to.
 */
import * as vscode from 'vscode';
import type { InstanceSummary } from '../../emulator/protocol/control';
import type { RuntimeStatus } from '../../emulator/protocol/durable';
import type { EmulatorSession } from '../emulator/session';
import { Cancelled, registerCommand } from '../errors';
import { ACTIVE_STATUSES, instanceArg, isOptions, promptText } from './prompts';

const TERMINAL: RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

type Simple = 'suspend' | 'resume' | 'rewind';
const SIMPLE: Array<[Simple, string, RuntimeStatus[], string]> = [
  ['suspend', 'Suspend', ['Running', 'Pending'], 'Suspended'],
  ['resume', 'Resume', ['Suspended'], 'Resumed'],
  ['rewind', 'Rewind', ['Failed'], 'Rewound'],
];

export function statusUrl(http: string, instanceId: string): string {
  return `${http}/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}`;
}

export function registerInstanceCommands(session: EmulatorSession): vscode.Disposable[] {
  const reasonOf = (arg: unknown) => (isOptions(arg) && typeof arg.reason === 'string' ? arg.reason : undefined);
  return [
    registerCommand('durable.terminate', async (arg?: unknown) => {
      const instanceId = await instanceArg(session, arg, ACTIVE_STATUSES, 'Durable: Terminate: instance');
      const reason = isOptions(arg)
        ? reasonOf(arg)
        : (await promptText({ title: `Terminate ${instanceId}`, prompt: 'Reason (optional)', value: 'Terminated from VS Code' })) || undefined;
      await session.request('instances.terminate', { instanceId, reason });
      return true;
    }),
    ...SIMPLE.map(([op, title, statuses, done]) =>
      registerCommand(`durable.${op}`, async (arg?: unknown) => {
        const instanceId = await instanceArg(session, arg, statuses, `Durable: ${title}: instance`);
        await session.request(`instances.${op}`, { instanceId, reason: reasonOf(arg) });
        vscode.window.setStatusBarMessage(`$(check) ${done} ${instanceId}`, 4000);
        return true;
      }),
    ),
    registerCommand('durable.restart', async (arg?: unknown): Promise<InstanceSummary> => {
      const instanceId = await instanceArg(session, arg, undefined, 'Durable: Restart: instance');
      // Callers may leave it out: the emulator then picks a new id, as the HTTP API does.
      let newInstanceId = isOptions(arg) && typeof arg.newInstanceId === 'boolean' ? arg.newInstanceId : undefined;
      if (!isOptions(arg)) {
        const picked = await vscode.window.showQuickPick(
          [
            { label: 'Same instance id', description: instanceId, fresh: false },
            { label: 'New instance id', description: 'keeps the old instance', fresh: true },
          ],
          { title: `Restart ${instanceId} with its original input` },
        );
        if (!picked) throw new Cancelled();
        newInstanceId = picked.fresh;
      }
      const summary = await session.request('instances.restart', { instanceId, newInstanceId });
      vscode.window.setStatusBarMessage(`$(check) Restarted as ${summary.instanceId}`, 4000);
      return summary;
    }),
    registerCommand('durable.purge', async (arg?: unknown) => {
      const instanceId = await instanceArg(session, arg, TERMINAL, 'Durable: Purge: instance');
      const { deleted } = await session.request('instances.purge', { instanceId });
      vscode.window.setStatusBarMessage(`$(trash) Purged ${instanceId}`, 4000);
      return deleted;
    }),
    registerCommand('durable.copyInstanceId', async (arg?: unknown) => {
      const instanceId = await instanceArg(session, arg, undefined, 'Durable: Copy Instance Id');
      await vscode.env.clipboard.writeText(instanceId);
      return instanceId;
    }),
    registerCommand('durable.copyStatusUrl', async (arg?: unknown) => {
      const instanceId = await instanceArg(session, arg, undefined, 'Durable: Copy Status URL');
      const http = session.connection?.http;
      if (!http) throw new Error('The emulator is not running.');
      const url = statusUrl(http, instanceId);
      await vscode.env.clipboard.writeText(url);
      return url;
    }),
  ];
}
