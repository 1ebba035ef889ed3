/**
 * Commands of the Instances view itself: Refresh, Filter / Clear Filter, Group by status or by
 * orchestrator, Load more, Purge by filter (with a modal confirmation naming the count).
 */
import * as vscode from 'vscode';
import type { InstanceFilter } from '../../emulator/protocol/control';
import type { RuntimeStatus } from '../../emulator/protocol/durable';
import type { EmulatorSession } from '../emulator/session';
import { Cancelled, registerCommand } from '../errors';
import { GroupNode, STATUS_ORDER, type ViewFilter } from '../instances/instanceModel';
import type { InstancesTreeProvider } from '../instances/instancesTree';
import { statusIcon } from '../instances/presentation';
import { isOptions, promptText, validateInstanceId } from './prompts';

const TERMINAL: RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

export function registerViewCommands(session: EmulatorSession, tree: InstancesTreeProvider): vscode.Disposable[] {
  return [
    registerCommand('durable.refresh', async () => {
      tree.refresh();
      if (session.isRunning) await session.refreshFunctions();
    }),
    registerCommand('durable.loadMore', (group?: GroupNode) => (group instanceof GroupNode ? tree.model.loadMore(group) : undefined)),
    registerCommand('durable.groupByOrchestrator', () => tree.setGroupBy('orchestrator')),
    registerCommand('durable.groupByStatus', () => tree.setGroupBy('status')),
    registerCommand('durable.clearFilter', () => tree.setFilter({})),
    registerCommand('durable.filterInstances', async (arg?: ViewFilter) => {
      await tree.setFilter(isOptions(arg) ? arg : await promptFilter(session, tree.filter));
      return tree.filter;
    }),
    registerCommand('durable.purgeByFilter', async (arg?: { filter?: InstanceFilter; confirm?: boolean }) => {
      const filter = isOptions(arg) && arg.filter ? arg.filter : await promptPurgeFilter(tree.filter);
      const { total } = await session.request('instances.list', { filter, pageSize: 1 });
      if (total === 0) {
        void vscode.window.showInformationMessage('No instances match; nothing to purge.');
        return 0;
      }
      if (!isOptions(arg) || arg.confirm !== false) {
        const ok = await vscode.window.showWarningMessage(
          `Purge ${total} instance${total === 1 ? '' : 's'} (${describe(filter)}) and their history?`,
          { modal: true, detail: 'This cannot be undone.' },
          'Purge',
        );
        if (ok !== 'Purge') throw new Cancelled();
      }
      const { deleted } = await session.request('instances.purgeWhere', { filter });
      void vscode.window.showInformationMessage(`Purged ${deleted} instance${deleted === 1 ? '' : 's'}.`);
      return deleted;
    }),
  ];
}

function describe(filter: InstanceFilter): string {
  // The emulator purges finished instances only, whatever the filter says.
  const parts = [filter.runtimeStatus?.length ? `status ${filter.runtimeStatus.join(' or ')}` : 'every finished instance'];
  if (filter.name) parts.push(`orchestrator ${filter.name}`);
  if (filter.instanceIdPrefix) parts.push(`id starting with '${filter.instanceIdPrefix}'`);
  return parts.join(', ');
}

async function pickStatuses(title: string, selected: RuntimeStatus[], choices = STATUS_ORDER): Promise<RuntimeStatus[]> {
  const picked = await vscode.window.showQuickPick(
    choices.map((status) => ({ label: status, iconPath: statusIcon(status), picked: selected.includes(status) })),
    { title, canPickMany: true, placeHolder: 'None picked means any status' },
  );
  if (!picked) throw new Cancelled();
  return picked.map((p) => p.label as RuntimeStatus);
}

/** One facet per run: status, orchestrator or id prefix; the others stay as they are. */
async function promptFilter(session: EmulatorSession, current: ViewFilter): Promise<ViewFilter> {
  const facet = await vscode.window.showQuickPick(
    [
      { label: '$(filter) Runtime status', description: current.statuses?.join(', ') ?? 'any', facet: 'status' },
      { label: '$(symbol-event) Orchestrator', description: current.name ?? 'any', facet: 'name' },
      { label: '$(key) Instance id prefix', description: current.idPrefix ?? 'none', facet: 'prefix' },
      { label: '$(clear-all) Clear filter', facet: 'clear' },
    ],
    { title: 'Durable: Filter Instances' },
  );
  if (!facet) throw new Cancelled();
  switch (facet.facet) {
    case 'status':
      return { ...current, statuses: await pickStatuses('Show instances in these statuses', current.statuses ?? []) };
    case 'name': {
      const names = session.functions.filter((f) => f.kind === 'orchestrator').map((f) => f.name);
      const picked = await vscode.window.showQuickPick(['(any orchestrator)', ...names], { title: 'Show instances of' });
      if (!picked) throw new Cancelled();
      return { ...current, name: picked === '(any orchestrator)' ? undefined : picked };
    }
    case 'prefix':
      return { ...current, idPrefix: (await promptText({ title: 'Instance id starts with', value: current.idPrefix, validateInput: validateInstanceId })) || undefined };
    default:
      return {};
  }
}

async function promptPurgeFilter(view: ViewFilter): Promise<InstanceFilter> {
  // Only finished instances can be purged: offer those statuses.
  const preselected = view.statuses?.filter((st) => TERMINAL.includes(st));
  const statuses = await pickStatuses('Durable: Purge finished instances in these statuses', preselected?.length ? preselected : TERMINAL, TERMINAL);
  const filter: InstanceFilter = { runtimeStatus: statuses.length ? statuses : undefined };
  // The view's other facets narrow the purge as they narrow the view.
  if (view.name) filter.name = view.name;
  if (view.idPrefix) filter.instanceIdPrefix = view.idPrefix;
  return filter;
}
