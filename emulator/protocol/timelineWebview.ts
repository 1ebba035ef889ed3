/**
 * The message contract between the extension (the WebviewPanel host, src/timeline/) and the history timeline
 * webview (media/timeline/), imported by both. Described for people in docs/webview-protocol.md.
 *
 * The data it carries are the control protocol's own types (`InstanceDetail`, `HistoryPage` and
 * `HistoryEvent`, imported type-only so that nothing but this module reaches the page's bundle): the
 * extension passes the objects it got from the emulator through unchanged. Runs in the browser too: no Node
 * APIs here, and nothing but type imports.
 *
 * Flow:
 * 1. The page loads and posts {@link ReadyMessage}.
 * 2. The extension answers {@link InitMessage}: the instance and the FIRST page of its current execution's
 *    history (send at most a few thousand events; the page asks for the rest).
 * 3. While `from + events.length < total` the page posts {@link RequestHistoryMessage} and the extension
 *    answers each with one {@link HistoryPageMessage} (`instances.history` of the control protocol).
 * 4. Live: the extension forwards the control protocol's `history` pushes as {@link HistoryAppendedMessage}
 *    and `instances` pushes (of this instance) as {@link InstanceUpdatedMessage}. The page keeps zoom,
 *    scroll and selection across both.
 * 5. User actions come back as {@link CommandMessage}, {@link OpenInstanceMessage}, {@link ExportHistoryMessage},
 *    {@link CopyMessage}. The page never talks to the emulator itself.
 *
 * Every message is a plain JSON object with a `type` discriminant. Times are ISO strings.
 */

// ---------------------------------------------------------------------------------------------------
// Data: the control protocol's own types, type-only.

export type { HistoryPage, InstanceDetail } from './control';
export type { HistoryEvent, RuntimeStatus } from './durable';
import type { HistoryPage, InstanceDetail } from './control';
import type { HistoryEvent } from './durable';

// ---------------------------------------------------------------------------------------------------
// Extension → webview

/** VS Code's colour theme kind. VS Code already puts `vscode-light|dark|high-contrast` on `<body>`; optional. */
export type ThemeKind = 'light' | 'dark' | 'highContrast' | 'highContrastLight';

/**
 * Show an instance (first load, and whenever the panel switches instance, e.g. drilling into a child).
 * A different `instance.instanceId` than the one shown resets the page (the previous one goes on the
 * back stack when the switch came from {@link OpenInstanceMessage}); the same id just refreshes it.
 */
export interface InitMessage {
  type: 'init';
  instance: InstanceDetail;
  /** The first page of the history of `history.executionId` (normally `instance.executionId`). */
  history: HistoryPage;
  theme?: ThemeKind;
  /** The emulator's clock when this was sent (ISO): the page corrects its "now" line by the difference. */
  now?: string;
  /** Disable the action buttons (e.g. the emulator is not running); default false. */
  readOnly?: boolean;
}

/** Answer to {@link RequestHistoryMessage}. */
export interface HistoryPageMessage {
  type: 'historyPage';
  instanceId: string;
  page: HistoryPage;
}

/**
 * Events appended to the history (the control protocol's `history` push, unchanged). `reset`: the history
 * was rewritten (rewind, or a new execution after continue-as-new): `events` replace it from `from` on
 * (normally from 0). A gap (`from` past the events the page has) makes the page request the missing ones.
 */
export interface HistoryAppendedMessage {
  type: 'historyAppended';
  instanceId: string;
  executionId: string;
  from: number;
  events: HistoryEvent[];
  reset: boolean;
}

/** New state of the instance (status, output, custom status, times...). */
export interface InstanceUpdatedMessage {
  type: 'instanceUpdated';
  instance: InstanceDetail;
  now?: string;
}

/** Select (and reveal) something in the page, e.g. from a "Reveal in Timeline" command. */
export interface SelectMessage {
  type: 'select';
  /** Index of a history event in the current execution. */
  eventIndex?: number;
  /** A task's sequence id (TaskScheduled/TimerCreated/SubOrchestrationInstanceCreated EventId). */
  sequenceId?: number;
}

/** Connection state shown as a banner: the emulator stopped (history frozen, actions disabled) or is back. */
export interface ConnectionMessage {
  type: 'connection';
  connected: boolean;
  message?: string;
}

/** The instance was purged or does not exist. */
export interface InstanceGoneMessage {
  type: 'instanceGone';
  instanceId: string;
  message?: string;
}

export type ToWebviewMessage =
  | InitMessage
  | HistoryPageMessage
  | HistoryAppendedMessage
  | InstanceUpdatedMessage
  | SelectMessage
  | ConnectionMessage
  | InstanceGoneMessage;

// ---------------------------------------------------------------------------------------------------
// Webview → extension

/** The page is loaded and listening: send {@link InitMessage}. Also sent after a reload. */
export interface ReadyMessage {
  type: 'ready';
  /** What the page had persisted (`vscode.getState()`), if anything: the instance to show again. */
  state?: PersistedState;
}

/** Ask for more history: answer with one {@link HistoryPageMessage}. */
export interface RequestHistoryMessage {
  type: 'requestHistory';
  instanceId: string;
  /** Omitted: the current execution. An older one when the user picks it in the header. */
  executionId?: string;
  from: number;
  limit: number;
}

export type InstanceCommand = 'raiseEvent' | 'terminate' | 'suspend' | 'resume' | 'rewind' | 'restart' | 'purge';

/** Run an instance action, through the same commands as the Instances tree (they prompt and confirm). */
export interface CommandMessage {
  type: 'command';
  name: InstanceCommand;
  instanceId: string;
}

/**
 * Show another instance: a sub-orchestration (drill down), the parent, or back. The extension shows it in
 * this panel (send {@link InitMessage}) or reveals the panel that already shows it.
 */
export interface OpenInstanceMessage {
  type: 'openInstance';
  instanceId: string;
  /** Where the user came from (for the back button); unset for "back" itself. */
  fromInstanceId?: string;
  /** Why: a child bar, the parent link, or the back button. */
  via: 'child' | 'parent' | 'back';
}

/** Save the history as JSON (the extension shows a save dialog and fetches all of it). */
export interface ExportHistoryMessage {
  type: 'exportHistory';
  instanceId: string;
  executionId: string;
}

/** Put text on the clipboard (`vscode.env.clipboard.writeText`), with a status message naming `what`. */
export interface CopyMessage {
  type: 'copy';
  text: string;
  what?: string;
}

/** An error inside the page, for the extension's log. */
export interface WebviewErrorMessage {
  type: 'error';
  message: string;
  stack?: string;
}

export type FromWebviewMessage =
  | ReadyMessage
  | RequestHistoryMessage
  | CommandMessage
  | OpenInstanceMessage
  | ExportHistoryMessage
  | CopyMessage
  | WebviewErrorMessage;

// ---------------------------------------------------------------------------------------------------
// Persisted state (vscode.setState) — what survives a reload and what the webview serializer gets.

export interface PersistedState {
  version: 1;
  /** The instance shown: `deserializeWebviewPanel(panel, state)` reads this to know what to load. */
  instanceId: string;
  /** The execution shown when not the current one. */
  executionId?: string;
  /** Zoom (pixels per millisecond, unset = fit to width) and horizontal scroll of the timeline. */
  zoom?: { pxPerMs: number | null; scrollLeft: number };
  selection?: { itemId?: string; eventIndex?: number; markerId?: string };
  filter?: string;
  /** Instances visited before this one (drill-down), most recent last. */
  backStack?: string[];
  tableHeight?: number;
  detailsWidth?: number;
}

export const INSTANCE_COMMANDS: readonly InstanceCommand[] = ['raiseEvent', 'terminate', 'suspend', 'resume', 'rewind', 'restart', 'purge'];

/**
 * Validates a message from the webview (the extension should not trust its shape blindly).
 * Returns the message typed, or undefined when it is not one of {@link FromWebviewMessage}.
 */
export function parseFromWebview(value: unknown): FromWebviewMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const str = (k: string) => typeof m[k] === 'string' && (m[k] as string).length > 0;
  const int = (k: string) => Number.isInteger(m[k]) && (m[k] as number) >= 0;
  switch (m.type) {
    case 'ready':
      return m as unknown as ReadyMessage;
    case 'requestHistory':
      return str('instanceId') && int('from') && int('limit') && (m.executionId === undefined || str('executionId'))
        ? (m as unknown as RequestHistoryMessage)
        : undefined;
    case 'command':
      return str('instanceId') && INSTANCE_COMMANDS.includes(m.name as InstanceCommand) ? (m as unknown as CommandMessage) : undefined;
    case 'openInstance':
      return str('instanceId') && ['child', 'parent', 'back'].includes(m.via as string) ? (m as unknown as OpenInstanceMessage) : undefined;
    case 'exportHistory':
      return str('instanceId') && str('executionId') ? (m as unknown as ExportHistoryMessage) : undefined;
    case 'copy':
      return typeof m.text === 'string' ? (m as unknown as CopyMessage) : undefined;
    case 'error':
      return typeof m.message === 'string' ? (m as unknown as WebviewErrorMessage) : undefined;
    default:
      return undefined;
  }
}

/** The `acquireVsCodeApi()` object as the page uses it. */
export interface VsCodeApi {
  postMessage(message: FromWebviewMessage): void;
  getState(): PersistedState | undefined;
  setState(state: PersistedState): void;
}

/** Page size the webview asks for when paging a long history. */
export const HISTORY_PAGE_SIZE = 5000;
