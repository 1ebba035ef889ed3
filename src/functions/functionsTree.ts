/**
 * The Functions view: the loaded app's orchestrators, activities, entities and HTTP routes, as the
 * worker reported them. Orchestrators carry an inline Start action.
 */
import * as vscode from 'vscode';
import type { FunctionInfo, FunctionKind } from '../../emulator/protocol/worker';
import type { EmulatorSession } from '../emulator/session';

export interface FunctionCategory {
  readonly kind: 'category';
  readonly category: FunctionKind;
  readonly label: string;
  readonly functions: FunctionInfo[];
}

export interface FunctionNode {
  readonly kind: 'function';
  readonly info: FunctionInfo;
}

export type FunctionTreeNode = FunctionCategory | FunctionNode;

const CATEGORIES: Array<[FunctionKind, string, string]> = [
  ['orchestrator', 'Orchestrators', 'symbol-event'],
  ['activity', 'Activities', 'symbol-method'],
  ['entity', 'Entities', 'symbol-class'],
  ['http', 'HTTP Routes', 'globe'],
  ['other', 'Other', 'symbol-misc'],
];

export class FunctionsTreeProvider implements vscode.TreeDataProvider<FunctionTreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<FunctionTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private categories: FunctionCategory[] = [];
  private readonly subscription: vscode.Disposable;

  constructor(private readonly session: EmulatorSession) {
    this.build(session.functions);
    this.subscription = session.onDidChangeFunctions((functions) => this.build(functions));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }

  /** The current functions by category (tests). */
  get roots(): readonly FunctionCategory[] {
    return this.categories;
  }

  getTreeItem(node: FunctionTreeNode): vscode.TreeItem {
    if (node.kind === 'category') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `category/${node.category}`;
      item.description = String(node.functions.length);
      item.iconPath = new vscode.ThemeIcon(CATEGORIES.find(([k]) => k === node.category)![2]);
      item.contextValue = `category.${node.category}`;
      return item;
    }
    const f = node.info;
    const prefix = this.session.routePrefix ? `/${this.session.routePrefix}` : '';
    const item = new vscode.TreeItem(f.kind === 'http' ? `${prefix}/${f.route ?? f.name}` : f.name);
    item.id = `function/${f.name}`;
    if (f.kind === 'http') {
      item.description = `${f.methods?.length ? f.methods.join(', ') : 'ANY'} · ${f.name}`;
    } else if (f.kind === 'other') {
      item.description = f.triggerType;
    }
    item.tooltip = new vscode.MarkdownString(
      [`**${f.name}** (${f.kind})`, `Trigger: \`${f.triggerType}\``, f.authLevel ? `Auth level: ${f.authLevel}` : '', f.usesDurableClient ? 'Uses a durable client' : '']
        .filter(Boolean)
        .join('  \n'),
    );
    item.iconPath = new vscode.ThemeIcon(CATEGORIES.find(([k]) => k === f.kind)?.[2] ?? 'symbol-misc');
    item.contextValue = `function.${f.kind}`;
    return item;
  }

  getChildren(node?: FunctionTreeNode): FunctionTreeNode[] {
    if (!node) return this.categories;
    if (node.kind === 'category') return node.functions.map((info) => ({ kind: 'function', info }));
    return [];
  }

  private build(functions: readonly FunctionInfo[]): void {
    this.categories = CATEGORIES.map(([category, label]) => ({
      kind: 'category' as const,
      category,
      label,
      functions: functions.filter((f) => f.kind === category).sort((a, b) => a.name.localeCompare(b.name)),
    })).filter((c) => c.functions.length > 0);
    this.changeEmitter.fire(undefined);
  }
}
