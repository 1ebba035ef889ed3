/**
 * One timeline panel: its WebviewPanel, the instance it shows (a drill-down can change it) and its side of
 * the message contract (emulator/protocol/timelineWebview.ts): answers `ready` and `requestHistory`, forwards the
 * pushes the manager routes to it, hands the page's actions to the commands. What concerns several panels
 * (subscriptions, routing pushes, one panel per instance) is the manager's.
 */
import * as vscode from 'vscode';
import type { PushMessage } from '../../emulator/protocol/control';
import {
  HISTORY_PAGE_SIZE,
  parseFromWebview,
  type FromWebviewMessage,
  type InitMessage,
  type OpenInstanceMessage,
  type ThemeKind,
  type ToWebviewMessage,
} from '../../emulator/protocol/timelineWebview';
import { ControlError } from '../../emulator/client/controlClient';
import type { EmulatorSession } from '../emulator/session';
import { Cancelled, showError } from '../errors';
import { timelineHtml } from './html';

export type HistoryPush = Extract<PushMessage, { topic: 'history' }>;

/** What a panel needs from the manager. */
export interface PanelHost {
  readonly session: EmulatorSession;
  readonly log: vscode.LogOutputChannel;
  readonly extensionUri: vscode.Uri;
  /** Subscribes to the instance's history pushes; idempotent per connection. */
  watch(instanceId: string): Promise<void>;
  /** The panel switched from `previous` to another instance. */
  switched(panel: TimelinePanel, previous: string): void;
  openInstance(from: TimelinePanel, message: OpenInstanceMessage): Promise<void>;
  open(instanceId: string): Promise<unknown>;
  exportHistory(instanceId: string, executionId: string): Promise<unknown>;
  disposed(panel: TimelinePanel): void;
}

const NOT_RUNNING = 'The Durable Functions emulator is not running: start it to load this history.';

const TITLE_SEPARATOR = ' · ';
const GONE_SUFFIX = ' (purged)';

export function panelTitle(instanceId: string, name?: string, gone = false): string {
  return `${name ?? 'History'}${TITLE_SEPARATOR}${instanceId}${gone ? GONE_SUFFIX : ''}`;
}

/** Reads back a title made by panelTitle (orchestrator names cannot hold the separator). */
export function parseTitle(title: string): { name?: string; instanceId: string } | undefined {
  const at = title.indexOf(TITLE_SEPARATOR);
  if (at < 0) return undefined;
  const rest = title.slice(at + TITLE_SEPARATOR.length);
  const instanceId = rest.endsWith(GONE_SUFFIX) ? rest.slice(0, -GONE_SUFFIX.length) : rest;
  const name = title.slice(0, at);
  return instanceId ? { name: name === 'History' ? undefined : name, instanceId } : undefined;
}

function themeKind(): ThemeKind {
  switch (vscode.window.activeColorTheme.kind) {
    case vscode.ColorThemeKind.Light:
      return 'light';
    case vscode.ColorThemeKind.HighContrast:
      return 'highContrast';
    case vscode.ColorThemeKind.HighContrastLight:
      return 'highContrastLight';
    default:
      return 'dark';
  }
}

export class TimelinePanel implements vscode.Disposable {
  private _instanceId: string;
  private name: string | undefined;
  private gone = false;
  private disposed = false;
  /** Bumped by every (re)load: answers of an older one are dropped. */
  private initSeq = 0;
  /** History pushes that arrive while an init is being fetched, posted right after it (the page merges overlaps). */
  private queued: HistoryPush[] | undefined;
  private changedDuringInit = false;
  private updating: Promise<void> | undefined;
  private updateAgain = false;
  private readonly postEmitter = new vscode.EventEmitter<ToWebviewMessage>();
  private readonly receiveEmitter = new vscode.EventEmitter<FromWebviewMessage>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Every message posted to the page / received from it (tests watch these). */
  readonly onDidPost = this.postEmitter.event;
  readonly onDidReceive = this.receiveEmitter.event;
  /** The last `init` posted and whether VS Code accepted it (tests). */
  lastInit: { message: InitMessage; delivered: boolean } | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    instanceId: string,
    private readonly host: PanelHost,
    name?: string,
  ) {
    this._instanceId = instanceId;
    this.name = name;
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'durable.svg');
    this.updateTitle();
    this.disposables.push(
      this.postEmitter,
      this.receiveEmitter,
      panel.webview.onDidReceiveMessage((message) => void this.receive(message)),
      panel.onDidDispose(() => this.dispose()),
    );
    panel.webview.html = timelineHtml(panel.webview, host.extensionUri);
  }

  get instanceId(): string {
    return this._instanceId;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.initSeq++;
    this.panel.dispose();
    for (const d of this.disposables) d.dispose();
    this.host.disposed(this);
  }

  reveal(preserveFocus = false): void {
    this.panel.reveal(undefined, preserveFocus);
  }

  /** Shows another instance in this panel (drill-down into a child, its parent, back). */
  show(instanceId: string): Promise<void> {
    if (instanceId === this._instanceId) return this.init();
    const previous = this._instanceId;
    this._instanceId = instanceId;
    this.name = undefined;
    this.gone = false;
    this.updateTitle();
    this.host.switched(this, previous);
    return this.init();
  }

  /** A message from the page (also called by tests to play the page's part). Resolves once handled. */
  async receive(raw: unknown): Promise<void> {
    const message = parseFromWebview(raw);
    if (!message) {
      this.host.log.warn(`Timeline: ignored a malformed message from the page: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    this.receiveEmitter.fire(message);
    try {
      await this.handle(message);
    } catch (error) {
      if (error instanceof Cancelled) return;
      // What the page asks for by itself goes to the log; what the user did gets a notification.
      if (message.type === 'ready' || message.type === 'requestHistory') this.host.log.warn(`Timeline (${this._instanceId}): ${(error as Error).message}`);
      else showError(error);
    }
  }

  private async handle(message: FromWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        // First load, a reload, or shown again after being hidden: the page starts over.
        return this.init();
      case 'requestHistory': {
        const { instanceId, executionId, from } = message;
        const limit = Math.min(Math.max(message.limit, 1), HISTORY_PAGE_SIZE);
        const page = await this.host.session.request('instances.history', { instanceId, executionId, from, limit });
        await this.post({ type: 'historyPage', instanceId, page });
        return;
      }
      case 'command': {
        // The id alone (not `{instanceId}`): the commands then prompt and confirm exactly as from the tree.
        const result = await vscode.commands.executeCommand<unknown>(`durable.${message.name}`, message.instanceId);
        const restartedAs = message.name === 'restart' && (result as { instanceId?: unknown } | undefined)?.instanceId;
        if (typeof restartedAs === 'string' && restartedAs !== message.instanceId) await this.host.open(restartedAs);
        return;
      }
      case 'openInstance':
        return this.host.openInstance(this, message);
      case 'exportHistory':
        await this.host.exportHistory(message.instanceId, message.executionId);
        return;
      case 'copy':
        await vscode.env.clipboard.writeText(message.text);
        vscode.window.setStatusBarMessage(`$(copy) Copied the ${message.what ?? 'text'}`, 3000);
        return;
      case 'error':
        this.host.log.error(`Timeline page (${this._instanceId}): ${message.message}${message.stack ? `\n${message.stack}` : ''}`);
        return;
    }
  }

  /** Sends `init` for the instance: subscribe first, then read (docs/protocol.md § history), then pushes held meanwhile. */
  async init(): Promise<void> {
    const seq = ++this.initSeq;
    const instanceId = this._instanceId;
    const session = this.host.session;
    if (!session.isRunning) {
      this.queued = undefined;
      await this.post({ type: 'connection', connected: false, message: NOT_RUNNING });
      return;
    }
    this.queued = [];
    this.changedDuringInit = false;
    try {
      await this.host.watch(instanceId);
      const [instance, history] = await Promise.all([
        session.request('instances.get', { instanceId }),
        session.request('instances.history', { instanceId, from: 0, limit: HISTORY_PAGE_SIZE }),
      ]);
      if (seq !== this.initSeq) return;
      this.gone = false;
      this.name = instance.name;
      this.updateTitle();
      const message: InitMessage = { type: 'init', instance, history, theme: themeKind() };
      const delivered = await this.post(message);
      this.lastInit = { message, delivered };
      const queued = this.queued ?? [];
      this.queued = undefined;
      for (const push of queued) this.forward(push);
      if (this.changedDuringInit) this.refreshInstance();
    } catch (error) {
      if (seq !== this.initSeq) return;
      this.queued = undefined;
      if (error instanceof ControlError && error.code === 'notFound') return this.markGone(`${instanceId} does not exist (purged?).`);
      if (error instanceof ControlError && error.code === 'disconnected') {
        await this.post({ type: 'connection', connected: false, message: NOT_RUNNING });
        return;
      }
      throw error;
    }
  }

  /** A `history` push of this panel's instance. */
  onHistory(push: HistoryPush): void {
    if (push.instanceId !== this._instanceId) return;
    if (this.queued) this.queued.push(push);
    else this.forward(push);
  }

  /** The instance changed (an `instances` push named it, or pushes were dropped). */
  onInstanceChanged(): void {
    if (this.queued) this.changedDuringInit = true;
    else if (this.gone) void this.init().catch((e) => this.host.log.warn(`Timeline: ${(e as Error).message}`)); // Re-created under the same id.
    else this.refreshInstance();
  }

  onRemoved(): void {
    this.initSeq++;
    this.queued = undefined;
    void this.markGone(`${this._instanceId} was purged: this is the last history received.`);
  }

  /** The emulator stopped or (re)started: a banner, or everything loaded afresh from the new connection. */
  onConnection(connected: boolean): void {
    if (connected) {
      void this.init().catch((e) => this.host.log.warn(`Timeline: ${(e as Error).message}`));
      return;
    }
    this.initSeq++;
    this.queued = undefined;
    void this.post({ type: 'connection', connected: false, message: 'The Durable Functions emulator stopped.' });
  }

  /** Posts a page-sized slice at a time: a push can carry a whole rewritten history. */
  private forward(push: HistoryPush): void {
    const { instanceId, executionId, from, events, reset } = push;
    for (let i = 0; i === 0 || i < events.length; i += HISTORY_PAGE_SIZE) {
      void this.post({ type: 'historyAppended', instanceId, executionId, from: from + i, events: events.slice(i, i + HISTORY_PAGE_SIZE), reset: reset && i === 0 });
    }
  }

  /** instances.get → instanceUpdated, one request at a time (a burst of pushes makes one more, not many). */
  private refreshInstance(): void {
    if (this.updating) {
      this.updateAgain = true;
      return;
    }
    this.updating = (async () => {
      do {
        this.updateAgain = false;
        const instanceId = this._instanceId;
        const instance = await this.host.session.request('instances.get', { instanceId });
        if (instanceId !== this._instanceId || this.queued || this.gone) continue;
        this.name = instance.name;
        this.updateTitle();
        await this.post({ type: 'instanceUpdated', instance });
      } while (this.updateAgain && !this.disposed);
    })()
      .catch((error) => {
        if (error instanceof ControlError && error.code === 'notFound') this.onRemoved();
        else this.host.log.warn(`Timeline: could not refresh ${this._instanceId}: ${(error as Error).message}`);
      })
      .finally(() => (this.updating = undefined));
  }

  private async markGone(message: string): Promise<void> {
    this.gone = true;
    this.updateTitle();
    await this.post({ type: 'instanceGone', instanceId: this._instanceId, message });
  }

  private updateTitle(): void {
    if (this.disposed) return;
    this.panel.title = panelTitle(this._instanceId, this.name, this.gone);
  }

  private async post(message: ToWebviewMessage): Promise<boolean> {
    if (this.disposed) return false;
    this.postEmitter.fire(message);
    try {
      return await this.panel.webview.postMessage(message);
    } catch {
      return false; // Disposed meanwhile.
    }
  }
}
