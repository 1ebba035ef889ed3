/**
 * The history timeline webview's page, built on import (main.ts is the entry that imports it). Wires the views
 * to the store and speaks the message contract of emulator/protocol/timelineWebview.ts with the extension (acquireVsCodeApi). Persists zoom, selection, filter, sizes
 * and the back stack with vscode.setState so that a reload (webview serializer) restores them.
 */
import { DetailsView } from './details.js';
import { frameThrottle } from './dom.js';
import { GanttView } from './gantt.js';
import { HeaderView } from './header.js';
import { Layout } from './layout.js';
import { findItem } from './model.js';
import { HISTORY_PAGE_SIZE } from '../../emulator/protocol/timelineWebview.js';
import type { FromWebviewMessage, HistoryEvent, HistoryPage, InitMessage, InstanceCommand, PersistedState, ToWebviewMessage, VsCodeApi } from '../../emulator/protocol/timelineWebview.js';
import { Store } from './store.js';
import { HistoryTable } from './table.js';

declare function acquireVsCodeApi(): VsCodeApi;

/** Timings (ms, performance.now based) of the last init; `interactive` marks the page ready. */
export interface TimelineMetrics {
  initReceived: number;
  /** From the init message to the first frame showing the timeline. */
  firstPaint: number;
  /** From the init message to all history pages loaded, rendered and a frame shown. */
  interactive: number;
  modelBuilds: number;
  lastBuildMs: number;
}

const vscode = acquireVsCodeApi();
const post = (message: FromWebviewMessage) => vscode.postMessage(message);
const store = new Store();
const persisted: PersistedState | undefined = vscode.getState() ?? undefined;
const backStack: string[] = persisted?.backStack ?? [];
let pendingNav: { instanceId: string; via: 'child' | 'parent' | 'back' } | null = null;
let requested: { executionId: string; from: number } | null = null;
let restoredFor: string | null = null;
export const metrics: TimelineMetrics = { initReceived: 0, firstPaint: 0, interactive: 0, modelBuilds: 0, lastBuildMs: 0 };

window.addEventListener('error', (ev) => post({ type: 'error', message: String(ev.message), stack: ev.error instanceof Error ? ev.error.stack : undefined }));
window.addEventListener('unhandledrejection', (ev) => post({ type: 'error', message: String(ev.reason), stack: ev.reason instanceof Error ? ev.reason.stack : undefined }));

/** The instance shown, or before the first init the one this tab was restored for. */
const instanceId = () => store.instance?.instanceId ?? persisted?.instanceId ?? '';

function openInstance(target: string, via: 'child' | 'parent' | 'back'): void {
  pendingNav = { instanceId: target, via };
  post({ type: 'openInstance', instanceId: target, fromInstanceId: via === 'back' ? undefined : instanceId(), via });
}

const copy = (text: string, what: string) => post({ type: 'copy', text, what });

const header = new HeaderView(store, {
  command: (name: InstanceCommand) => post({ type: 'command', name, instanceId: instanceId() }),
  exportHistory: () => post({ type: 'exportHistory', instanceId: instanceId(), executionId: store.executionId }),
  copy,
  openParent: (id) => openInstance(id, 'parent'),
  back: () => backStack.length && openInstance(backStack[backStack.length - 1], 'back'),
  showExecution,
  canGoBack: () => backStack.length > 0,
});
const details = new DetailsView(store, { copy, openInstance: (id) => openInstance(id, 'child') });
const gantt = new GanttView(store, { openInstance: (id) => openInstance(id, 'child'), openDetails, persist });
const table = new HistoryTable(store, { openDetails, persist });
const layout = new Layout(header.el, gantt.el, details.el, table.el, { tableHeight: persisted?.tableHeight, detailsWidth: persisted?.detailsWidth }, persist);
document.body.append(layout.el);
/**
 * What the DOM alone does not say, read-only: for the test harness's entry (test/webview/page/), which puts it on
 * `window`. Unused by main.ts, so the production bundle leaves it out.
 */
export const inspection = {
  zoom: () => gantt.zoomState,
  pxPerMs: () => gantt.effectiveScale,
  renderedRows: () => ({ timeline: gantt.renderedRows, table: table.renderedRows }),
  selection: () => ({ ...store.selection }),
  // Events in the model (what is drawn), not merely received.
  eventCount: () => store.model.eventCount,
};

let returnFocus: HTMLElement | null = null;
function openDetails(): void {
  returnFocus = document.activeElement as HTMLElement | null;
  details.focus();
}
details.el.addEventListener('details-escape', () => (returnFocus ?? gantt).focus());

let persistTimer: ReturnType<typeof setTimeout> | undefined;
/** Saves the view state soon (batched: reading the scroll position forces a layout). */
function persist(): void {
  clearTimeout(persistTimer);
  persistTimer = setTimeout(persistNow, 150);
}

function persistNow(): void {
  if (!store.instance) return;
  const s = store.selection;
  const state: PersistedState = {
    version: 1,
    instanceId: store.instance.instanceId,
    executionId: store.viewingCurrentExecution ? undefined : store.executionId,
    zoom: gantt.zoomState,
    selection: s.itemId || s.markerId || s.eventIndex !== undefined ? { itemId: s.itemId, markerId: s.markerId, eventIndex: s.eventIndex } : undefined,
    filter: table.filterText || undefined,
    backStack,
    tableHeight: layout.tableHeight,
    detailsWidth: layout.detailsWidth,
  };
  vscode.setState(state);
}
store.on((kind) => {
  if (kind === 'selection') persist();
});
window.addEventListener('pagehide', persistNow);
document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && persistNow());

function rebuild(): void {
  const t0 = performance.now();
  store.rebuild();
  metrics.lastBuildMs = performance.now() - t0;
  metrics.modelBuilds++;
}

/** Asks for the next page while the history is incomplete (one request in flight at a time). */
function requestMore(): void {
  if (!store.instance || !store.loading || requested) return;
  requested = { executionId: store.executionId, from: store.events.length };
  post({
    type: 'requestHistory',
    instanceId: store.instance.instanceId,
    executionId: store.viewingCurrentExecution ? undefined : store.executionId,
    from: store.events.length,
    limit: HISTORY_PAGE_SIZE,
  });
}

/**
 * Puts events at index `from` (docs/protocol.md § history): appends when `from` is the length held,
 * overwrites when it overlaps, and reports a gap (`from` past the end) by returning false so that the
 * caller fetches the missing events.
 */
function merge(from: number, events: HistoryEvent[]): boolean {
  if (from > store.events.length) {
    store.total = Math.max(store.total, from + events.length);
    return false;
  }
  for (let i = 0; i < events.length; i++) store.events[from + i] = events[i];
  store.total = Math.max(store.total, store.events.length);
  return true;
}

function afterFrame(fn: () => void): void {
  requestAnimationFrame(() => setTimeout(fn, 0));
}

function markInteractiveWhenLoaded(): void {
  if (store.loading || metrics.interactive) return;
  afterFrame(() => {
    if (metrics.interactive) return;
    metrics.interactive = performance.now() - metrics.initReceived;
    document.body.dataset.state = 'ready';
  });
}

function onInit(msg: InitMessage): void {
  metrics.initReceived = performance.now();
  metrics.firstPaint = 0;
  metrics.interactive = 0;
  document.body.dataset.state = 'loading';
  if (msg.theme && !/\bvscode-(light|dark|high-contrast)/.test(document.body.className)) {
    document.body.classList.add(msg.theme === 'light' ? 'vscode-light' : msg.theme === 'dark' ? 'vscode-dark' : msg.theme === 'highContrast' ? 'vscode-high-contrast' : 'vscode-high-contrast-light');
  }
  const previous = store.instance?.instanceId;
  const switching = previous !== undefined && previous !== msg.instance.instanceId;
  if (switching && pendingNav?.instanceId === msg.instance.instanceId) {
    if (pendingNav.via === 'back') backStack.pop();
    else backStack.push(previous);
  }
  pendingNav = null;
  if (msg.now) store.clockOffset = Date.parse(msg.now) - Date.now();
  store.readOnly = !!msg.readOnly;
  store.gone = null;
  store.connected = true;
  const same = previous === msg.instance.instanceId;
  store.instance = msg.instance;
  store.executionId = msg.history.executionId;
  store.events = [];
  store.total = msg.history.total;
  requested = null;
  // A first page that does not start at 0 is dropped: requestMore() asks for the history from the start.
  if (msg.history.from === 0) merge(0, msg.history.events);
  if (!same) {
    store.selection = {};
    store.expanded.clear();
    gantt.resetZoom();
  }
  rebuild();
  store.emit('instance');

  const restore = persisted && persisted.instanceId === msg.instance.instanceId && restoredFor !== msg.instance.instanceId;
  if (restore) {
    restoredFor = msg.instance.instanceId;
    if (persisted.filter) table.setFilter(persisted.filter);
    gantt.restoreZoom(persisted.zoom);
    const s = persisted.selection;
    if (s?.itemId && findItem(store.model, s.itemId) >= 0) store.selectItem(s.itemId);
    else if (s?.markerId && store.model.markers.some((m) => m.id === s.markerId)) store.selectMarker(s.markerId);
    else if (s?.eventIndex !== undefined && s.eventIndex < store.events.length) store.selectEvent(s.eventIndex);
  }
  persist();
  afterFrame(() => {
    metrics.firstPaint = performance.now() - metrics.initReceived;
  });
  requestMore();
  markInteractiveWhenLoaded();
  startTicking();
}

function onHistoryPage(page: HistoryPage): void {
  if (requested?.executionId === page.executionId) requested = null;
  if (page.executionId !== store.executionId) {
    requestMore();
    return;
  }
  store.total = page.total;
  merge(page.from, page.events);
  rebuild();
  store.emit('loading');
  requestMore();
  markInteractiveWhenLoaded();
}

const scheduleRebuild = frameThrottle(() => {
  rebuild();
  store.emit('loading');
  startTicking();
});

function onAppended(msg: { executionId: string; from: number; events: HistoryEvent[]; reset: boolean }): void {
  if (!store.instance) return;
  const other = msg.executionId !== store.executionId;
  // Viewing an older execution on purpose: pushes about the current one do not change it.
  if ((other || msg.reset) && !store.viewingCurrentExecution) return;
  if (other || msg.reset) {
    // Rewound, or a new execution (continue-as-new, restart): what we hold is obsolete.
    if (other) {
      store.instance = { ...store.instance, executionId: msg.executionId };
      store.executionId = msg.executionId;
      store.selection = {};
    }
    store.events = [];
    store.total = 0;
    requested = null;
  }
  if (!merge(msg.from, msg.events)) requestMore();
  scheduleRebuild();
}

function showExecution(executionId: string): void {
  const inst = store.instance;
  if (!inst || executionId === store.executionId) return;
  store.executionId = executionId;
  store.events = [];
  store.total = inst.executions.find((x) => x.executionId === executionId)?.eventCount ?? 1;
  store.selection = {};
  requested = null;
  rebuild();
  store.emit('instance');
  requestMore();
  persist();
}

let ticker: ReturnType<typeof setInterval> | undefined;
function startTicking(): void {
  const running = store.model.end === null && store.viewingCurrentExecution && store.instance && !['Completed', 'Failed', 'Terminated'].includes(store.instance.runtimeStatus);
  if (running && !ticker) {
    ticker = setInterval(() => {
      gantt.tick();
      header.render();
      if (store.model.end !== null) stopTicking();
    }, 1000);
  } else if (!running) stopTicking();
}
function stopTicking(): void {
  clearInterval(ticker);
  ticker = undefined;
}

window.addEventListener('message', (ev: MessageEvent<ToWebviewMessage>) => {
  const msg = ev.data;
  if (!msg || typeof msg !== 'object') return;
  switch (msg.type) {
    case 'init':
      onInit(msg);
      break;
    case 'historyPage':
      if (msg.instanceId === instanceId()) onHistoryPage(msg.page);
      break;
    case 'historyAppended':
      if (msg.instanceId === instanceId()) onAppended(msg);
      break;
    case 'instanceUpdated':
      if (msg.instance.instanceId !== instanceId()) break;
      if (msg.now) store.clockOffset = Date.parse(msg.now) - Date.now();
      store.instance = msg.instance;
      scheduleRebuild();
      store.emit('instance');
      break;
    case 'select':
      if (msg.eventIndex !== undefined && msg.eventIndex < store.events.length) store.selectEvent(msg.eventIndex);
      else if (msg.sequenceId !== undefined) {
        const item = store.model.items.find((i) => i.attempts.some((a) => a.sequenceId === msg.sequenceId));
        if (item) store.selectItem(item.id);
      }
      break;
    case 'connection':
      store.connected = msg.connected;
      store.emit('instance');
      break;
    case 'instanceGone':
      if (msg.instanceId !== instanceId()) break;
      store.gone = msg.message ?? 'This instance no longer exists (purged). Showing the last history received.';
      stopTicking();
      store.emit('instance');
      break;
  }
});

post({ type: 'ready', state: persisted });
