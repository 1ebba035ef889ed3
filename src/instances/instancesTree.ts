/**
 * The Instances view: a TreeDataProvider over InstanceModel (which does the loading and the push
 * bookkeeping), plus the view's own chrome: the filter in its description, context keys for the
 * title-bar toggles. Change events carry only the groups and items a push touched.
 */
import * as vscode from 'vscode';
import type { RuntimeStatus } from '../../emulator/protocol/durable';
import type { EmulatorSession } from '../emulator/session';
import { GroupNode, InstanceModel, InstanceTreeNode, type GroupBy, type ViewFilter } from './instanceModel';
import { description, statusIcon, tooltip } from './presentation';

// Expanded by default (VS Code then remembers what the user folds); old continue-as-new executions are noise.
const COLLAPSED_STATUSES = new Set<string>(['ContinuedAsNew']);
const GROUP_BY_KEY = 'durable.instancesGroupBy';

export class InstancesTreeProvider implements vscode.TreeDataProvider<InstanceTreeNode>, vscode.Disposable {
  readonly model: InstanceModel;
  readonly onDidChangeTreeData: vscode.Event<InstanceTreeNode | InstanceTreeNode[] | undefined>;
  private readonly disposables: vscode.Disposable[] = [];
  view: vscode.TreeView<InstanceTreeNode> | undefined;

  constructor(
    private readonly session: EmulatorSession,
    private readonly state: vscode.Memento,
  ) {
    this.model = new InstanceModel(
      (method, params) => session.request(method, params),
      () => session.isRunning,
      () => session.functions.filter((f) => f.kind === 'orchestrator').map((f) => f.name),
    );
    this.onDidChangeTreeData = this.model.onDidChange;
    this.model.groupBy = state.get<GroupBy>(GROUP_BY_KEY, 'status');
    this.disposables.push(
      this.model,
      session.onDidChangeState(() => this.model.reset()),
      session.onDidPush((message) => {
        if (message.topic !== 'instances') return;
        // The host dropped changes for us (we read too slowly): only a re-list is right again.
        if (message.dropped) this.model.reset();
        else this.model.applyPush(message.changed, message.removed);
      }),
      // A reloaded app may bring new orchestrators: only the orchestrator grouping lists them.
      session.onDidChangeFunctions(() => {
        if (this.model.groupBy === 'orchestrator') this.model.reset();
      }),
    );
    void this.updateContext();
  }

  /** Creates the view; kept apart from the constructor so that tests can use the provider headless. */
  createView(id: string): vscode.TreeView<InstanceTreeNode> {
    this.view = vscode.window.createTreeView(id, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(this.view);
    this.updateDescription();
    return this.view;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  get groupBy(): GroupBy {
    return this.model.groupBy;
  }

  get filter(): ViewFilter {
    return this.model.filter;
  }

  async setGroupBy(by: GroupBy): Promise<void> {
    this.model.setGroupBy(by);
    await this.state.update(GROUP_BY_KEY, by);
    await this.updateContext();
  }

  async setFilter(filter: ViewFilter): Promise<void> {
    const clean: ViewFilter = {};
    if (filter.statuses?.length) clean.statuses = filter.statuses;
    if (filter.name) clean.name = filter.name;
    if (filter.idPrefix) clean.idPrefix = filter.idPrefix;
    this.model.setFilter(clean);
    this.updateDescription();
    await this.updateContext();
  }

  refresh(): void {
    this.model.reset();
  }

  getTreeItem(node: InstanceTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'group':
        return this.groupItem(node);
      case 'instance': {
        const s = node.summary;
        const item = new vscode.TreeItem(s.instanceId, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.group.key}/${s.instanceId}`;
        item.description = description(s, node.group.by === 'status');
        item.iconPath = statusIcon(s.runtimeStatus);
        item.tooltip = tooltip(s);
        item.contextValue = `instance.${s.runtimeStatus}`;
        item.command = { command: 'durable.showHistory', title: 'Show History', arguments: [node] };
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
        item.id = `${node.group.key}/…more`;
        item.description = `${node.group.items?.length ?? 0} of ${node.group.total}`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = 'loadMore';
        item.command = { command: 'durable.loadMore', title: 'Load More', arguments: [node.group] };
        return item;
      }
    }
  }

  getChildren(node?: InstanceTreeNode): vscode.ProviderResult<InstanceTreeNode[]> {
    if (!node) return this.model.roots();
    if (node.kind === 'group') return this.model.children(node);
    return [];
  }

  getParent(node: InstanceTreeNode): InstanceTreeNode | undefined {
    return node.kind === 'group' ? undefined : node.group;
  }

  private groupItem(group: GroupNode): vscode.TreeItem {
    const byStatus = group.by === 'status';
    const collapsed = byStatus && COLLAPSED_STATUSES.has(group.key);
    const item = new vscode.TreeItem(
      group.key,
      collapsed ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded,
    );
    item.id = `group/${group.by}/${group.key}`;
    item.description = group.error ? `${group.total} · failed to load` : String(group.total);
    item.tooltip = group.error ?? `${group.total} instance${group.total === 1 ? '' : 's'}`;
    item.iconPath = byStatus ? statusIcon(group.key as RuntimeStatus) : new vscode.ThemeIcon('symbol-event');
    item.contextValue = byStatus ? 'group.status' : 'group.orchestrator';
    return item;
  }

  private updateDescription(): void {
    if (!this.view) return;
    const f = this.model.filter;
    const parts: string[] = [];
    if (f.statuses?.length) parts.push(f.statuses.join('|'));
    if (f.name) parts.push(f.name);
    if (f.idPrefix) parts.push(`${f.idPrefix}*`);
    this.view.description = parts.length ? `Filter: ${parts.join(', ')}` : undefined;
  }

  private async updateContext(): Promise<void> {
    const f = this.model.filter;
    await vscode.commands.executeCommand('setContext', GROUP_BY_KEY, this.model.groupBy);
    await vscode.commands.executeCommand('setContext', 'durable.instancesFiltered', !!(f.statuses?.length || f.name || f.idPrefix));
  }
}
