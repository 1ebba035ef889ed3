/**
 * The history timeline panels: at most one per instance (opening it again reveals it), restored after a
 * window reload by the webview serializer, subscribed to the history of the instances they show, fed by
 * the emulator's pushes and told when it stops or comes back. "Durable: Show History" opens them, from
 * the palette (pick an instance), with an instance id argument, or from the Instances view.
 */
import * as vscode from 'vscode';
import type { PushMessage } from '../../emulator/protocol/control';
import type { OpenInstanceMessage, PersistedState } from '../../emulator/protocol/timelineWebview';
import { instanceArg } from '../commands/prompts';
import type { EmulatorSession, EmulatorState } from '../emulator/session';
import { registerCommand } from '../errors';
import { InstanceNode } from '../instances/instanceModel';
import { exportHistory, type SaveDialog } from './exportHistory';
import { VIEW_TYPE, webviewOptions } from './html';
import { panelTitle, parseTitle, TimelinePanel, type PanelHost } from './timelinePanel';

export interface OpenOptions {
  /** Keep the focus where it is (a click in the tree keeps it in the tree). */
  preserveFocus?: boolean;
  viewColumn?: vscode.ViewColumn;
}

export class TimelineManager implements PanelHost, vscode.Disposable {
  private readonly open_ = new Set<TimelinePanel>();
  /** Instances whose history the current connection pushes to us (the subscribe request, shared). */
  private readonly watching = new Map<string, Promise<void>>();
  private connected: boolean;
  private readonly disposables: vscode.Disposable[] = [];
  /** The save dialog of Export (tests replace it: they cannot answer a native dialog). */
  saveDialog: SaveDialog = (options) => vscode.window.showSaveDialog(options);

  constructor(
    readonly session: EmulatorSession,
    readonly extensionUri: vscode.Uri,
    readonly log: vscode.LogOutputChannel,
  ) {
    this.connected = session.isRunning;
    this.disposables.push(
      session.onDidChangeState((state) => this.onState(state)),
      session.onDidPush((message) => this.onPush(message)),
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => void (await this.restore(panel, state)),
      }),
      registerCommand('durable.showHistory', async (arg?: unknown) => {
        const instanceId = await instanceArg(session, arg, undefined, 'Durable: Show History');
        await this.open(instanceId, { preserveFocus: arg instanceof InstanceNode });
        return instanceId;
      }),
    );
  }

  dispose(): void {
    for (const panel of [...this.open_]) panel.dispose();
    for (const d of this.disposables) d.dispose();
  }

  /** The open panels (tests). */
  panels(): readonly TimelinePanel[] {
    return [...this.open_];
  }

  find(instanceId: string): TimelinePanel | undefined {
    for (const panel of this.open_) if (panel.instanceId === instanceId) return panel;
    return undefined;
  }

  /** Reveals the instance's panel, or opens one (only for an instance the emulator knows). */
  async open(instanceId: string, options: OpenOptions = {}): Promise<TimelinePanel> {
    const existing = this.find(instanceId);
    if (existing) {
      existing.reveal(options.preserveFocus);
      return existing;
    }
    // Throws the emulator's message (not running, no such instance) before a panel exists.
    const { name } = await this.session.request('instances.get', { instanceId });
    const raced = this.find(instanceId);
    if (raced) {
      raced.reveal(options.preserveFocus);
      return raced;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      panelTitle(instanceId, name),
      { viewColumn: options.viewColumn ?? vscode.ViewColumn.Active, preserveFocus: !!options.preserveFocus },
      webviewOptions(this.extensionUri),
    );
    return this.adopt(panel, instanceId, name);
  }

  /** The serializer: a panel VS Code brings back after a reload, with the state its page saved. */
  async restore(panel: vscode.WebviewPanel, state: unknown): Promise<TimelinePanel | undefined> {
    const saved = (state as Partial<PersistedState> | undefined)?.instanceId;
    const title = parseTitle(panel.title);
    // The workbench may have saved the tab before its page's setState reached it (a reload soon after opening
    // brings it back without state, seen in code-server): its title still names the instance.
    const instanceId = typeof saved === 'string' && saved ? saved : title?.instanceId;
    if (!saved) this.log.info(`Timeline: a tab came back without its page's state; instance from its title: ${instanceId ?? 'none'}.`);
    if (!instanceId || this.find(instanceId)) {
      panel.dispose();
      return undefined;
    }
    panel.webview.options = webviewOptions(this.extensionUri);
    // The page posts `ready` once loaded; the answer waits for the emulator if it is not running yet.
    return this.adopt(panel, instanceId, title?.instanceId === instanceId ? title.name : undefined);
  }

  private adopt(panel: vscode.WebviewPanel, instanceId: string, name?: string): TimelinePanel {
    const timeline = new TimelinePanel(panel, instanceId, this, name);
    this.open_.add(timeline);
    return timeline;
  }

  // ------------------------------------------------------------------------------- PanelHost

  watch(instanceId: string): Promise<void> {
    let watching = this.watching.get(instanceId);
    if (!watching) {
      // `instances` is on already (the session's); naming it again keeps this independent of that.
      watching = this.session.request('subscribe', { topics: ['history', 'instances'], instanceIds: [instanceId] }).then(
        () => undefined,
        (error) => {
          this.watching.delete(instanceId);
          throw error;
        },
      );
      this.watching.set(instanceId, watching);
    }
    return watching;
  }

  switched(_panel: TimelinePanel, previous: string): void {
    this.unwatchIfUnused(previous);
  }

  disposed(panel: TimelinePanel): void {
    this.open_.delete(panel);
    this.unwatchIfUnused(panel.instanceId);
  }

  /** Drill-down, parent link, back: reveal the panel already showing it, else show it in this one. */
  async openInstance(from: TimelinePanel, message: OpenInstanceMessage): Promise<void> {
    const other = this.find(message.instanceId);
    if (other && other !== from) return other.reveal();
    // Check first: switching to an id the emulator does not know would leave the page on the old one.
    await this.session.request('instances.get', { instanceId: message.instanceId });
    await from.show(message.instanceId);
  }

  exportHistory(instanceId: string, executionId: string): Promise<vscode.Uri> {
    return exportHistory(this.session, instanceId, executionId, this.saveDialog);
  }

  // ------------------------------------------------------------------------------- events

  private unwatchIfUnused(instanceId: string): void {
    if (this.find(instanceId) || !this.watching.delete(instanceId) || !this.session.isRunning) return;
    this.session.request('unsubscribe', { instanceIds: [instanceId] }).catch(() => undefined);
  }

  private onState(state: EmulatorState): void {
    const running = state === 'running';
    if (running === this.connected || state === 'starting') return;
    this.connected = running;
    // A new connection starts with no history subscription; a lost one has none left.
    this.watching.clear();
    for (const panel of this.open_) panel.onConnection(running);
  }

  private onPush(message: PushMessage): void {
    if (message.topic === 'history') {
      for (const panel of this.open_) if (panel.instanceId === message.instanceId) panel.onHistory(message);
    } else if (message.topic === 'instances') {
      const changed = new Set(message.changed.map((s) => s.instanceId));
      const removed = new Set(message.removed);
      for (const panel of this.open_) {
        // `dropped`: changes were lost, so any instance may have changed.
        if (removed.has(panel.instanceId)) panel.onRemoved();
        else if (message.dropped || changed.has(panel.instanceId)) panel.onInstanceChanged();
      }
    }
  }
}
