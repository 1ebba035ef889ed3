/**
 * The Gantt view: a toolbar (zoom, fit, legend), a scroll area with a sticky time axis and marker lane,
 * a sticky label column, and virtualized rows (only those in view exist in the DOM). Zoom with ctrl+wheel,
 * the buttons or +/-/0; pan by scrolling, shift+wheel or dragging the background. Keyboard: arrows move
 * the selection (right/left expand/collapse retry groups, or step through markers on the first row),
 * Enter shows the details.
 */
import { button, clamp, frameThrottle, h } from './dom.js';
import { formatDuration } from './format.js';
import { icon } from './icons.js';
import { findItem } from './model.js';
import { AXIS_H, HEADER_H, LANE_H, renderHeader, renderOverlay } from './ganttHeader.js';
import { attachInput } from './ganttInput.js';
import { buildRows, LABEL_W, PAD_L, PAD_R, renderRow, ROW_H, rowKey } from './ganttRows.js';
import type { Row, RowContext } from './ganttRows.js';
import { clampZoom, fitScale, TimeScale } from './scale.js';
import type { ChangeKind, Store } from './store.js';

export interface GanttHost {
  openInstance(instanceId: string): void;
  /** Enter on a row: show (and focus) the details. */
  openDetails(): void;
  /** Zoom or scroll changed: persist the view state. */
  persist(): void;
}

const OVERSCAN = 6;

export class GanttView {
  readonly el: HTMLElement;
  /** The scroll area (focusable tree); ganttInput.ts handles its events. */
  readonly scroller: HTMLElement;
  private readonly canvas: HTMLElement;
  private readonly axis: HTMLElement;
  private readonly lane: HTMLElement;
  private readonly overlay: HTMLElement;
  private readonly layer: HTMLElement;
  private readonly zoomLabel: HTMLElement;
  rows: Row[] = [];
  private rowEls = new Map<number, HTMLElement>();
  /** Pixels per ms; null = fit to the width. */
  private pxPerMs: number | null = null;
  private scale = new TimeScale(0, 1);
  private endTime = 0;
  /** The duration "fit" shows (with headroom while running). */
  private fitDuration = 1;
  /** Set while a pointer press selects: the selection is in view, do not scroll. */
  pressing = false;
  private readonly scheduleScroll = frameThrottle(() => this.renderVisible(false));

  constructor(
    readonly store: Store,
    readonly host: GanttHost,
  ) {
    this.zoomLabel = h('span.zoom-label');
    const toolbar = h(
      'div.toolbar.gantt-toolbar',
      { role: 'toolbar', 'aria-label': 'Timeline' },
      h('span.section-title', null, 'Timeline'),
      button('icon-button', '', 'Zoom out (-)', icon('zoomOut'), () => this.zoomBy(1 / 1.6)),
      button('icon-button', '', 'Zoom in (+)', icon('zoomIn'), () => this.zoomBy(1.6)),
      button('icon-button', '', 'Fit to width (0)', icon('fit'), () => this.zoomTo(null)),
      this.zoomLabel,
      h('span.spacer'),
      legend(),
    );
    this.axis = h('div.axis');
    this.lane = h('div.lane', { 'aria-label': 'Markers' });
    const corner = h('div.corner', null, h('div.corner-axis', null, 'Time'), h('div.corner-lane', null, 'Events'));
    const header = h('div.gantt-header', null, corner, this.axis, this.lane);
    header.style.height = `${HEADER_H}px`;
    this.axis.style.height = `${AXIS_H}px`;
    this.lane.style.height = `${LANE_H}px`;
    this.lane.style.top = `${AXIS_H}px`;
    this.overlay = h('div.overlay');
    this.overlay.style.top = `${HEADER_H}px`;
    this.layer = h('div.rows');
    this.canvas = h('div.gantt-canvas', null, header, this.overlay, this.layer);
    this.scroller = h('div.gantt-scroll', { tabindex: 0, role: 'tree', 'aria-label': 'Timeline: one row per activity, sub-orchestration, timer, HTTP call and entity call' }, this.canvas);
    this.el = h('section.gantt', { 'aria-label': 'Timeline' }, toolbar, this.scroller);
    this.el.style.setProperty('--label-w', `${LABEL_W}px`);
    this.el.style.setProperty('--row-h', `${ROW_H}px`);

    this.scroller.addEventListener('scroll', () => {
      this.scheduleScroll();
      this.persistSoon();
    });
    attachInput(this);
    new ResizeObserver(() => this.render()).observe(this.scroller);
    store.on((kind) => this.onChange(kind));
  }

  /** Zoom and horizontal scroll, for persistence. */
  get zoomState(): { pxPerMs: number | null; scrollLeft: number } {
    return { pxPerMs: this.pxPerMs, scrollLeft: this.scroller.scrollLeft };
  }

  restoreZoom(z: { pxPerMs: number | null; scrollLeft: number } | undefined): void {
    if (!z) return;
    this.pxPerMs = z.pxPerMs;
    this.render();
    this.scroller.scrollLeft = z.scrollLeft;
    this.renderVisible(true);
  }

  /** Back to "fit" and the top-left corner, without drawing (a new instance is about to be shown). */
  resetZoom(): void {
    this.pxPerMs = null;
    this.scroller.scrollTo(0, 0);
  }

  focus(): void {
    this.scroller.focus();
  }

  /** Pixels per ms in effect (fit or chosen). */
  get effectiveScale(): number {
    return this.scale.pxPerMs;
  }

  private onChange(kind: ChangeKind): void {
    if (kind === 'model' || kind === 'expanded') this.render();
    else if (kind === 'selection') {
      renderHeader(this.context(), this.axis, this.lane, this.store.selection.markerId);
      this.markSelection();
      // What the pointer pressed is in view already: do not scroll under it.
      if (!this.pressing) this.revealSelection();
    }
  }

  /** Recomputes rows, scale and sizes, then draws what is in view. */
  render(): void {
    const m = this.store.model;
    // Nothing to draw before the first history arrives (not even the orchestration's own bar).
    this.rows = this.store.events.length ? buildRows(m, this.store.expanded) : [];
    this.layout();
    this.zoomLabel.textContent = `${formatDuration(this.scale.step())} / division`;
    this.renderVisible(true);
  }

  /** Scale and canvas size. While the instance runs, "fit" leaves headroom so that it rescales rarely. */
  private layout(): void {
    const m = this.store.model;
    const now = this.store.now();
    this.endTime = m.end ?? Math.max(m.lastTime, now);
    const duration = Math.max(1, this.endTime - m.start);
    const chartW = Math.max(100, this.scroller.clientWidth - LABEL_W - PAD_L - PAD_R);
    this.fitDuration = m.end === null ? niceCeil(duration * 1.15) : duration;
    const fit = fitScale(this.fitDuration, chartW);
    // A chosen zoom is kept as the history grows or shrinks (live updates); only the user's zooming clamps it.
    const px = this.pxPerMs === null ? fit : Math.min(this.pxPerMs, clampZoom(this.pxPerMs, 0, duration));
    this.scale = new TimeScale(m.start, px);
    const span = this.pxPerMs === null ? Math.max(duration, this.fitDuration) : duration;
    this.canvas.style.width = `${LABEL_W + PAD_L + span * px + PAD_R}px`;
    this.canvas.style.height = `${HEADER_H + this.rows.length * ROW_H + 8}px`;
  }

  /**
   * Every second while the instance runs: the now line, the running bars and the orchestration row move.
   * Rows that cannot change are left alone (so that a click on them is never lost to a re-render).
   */
  tick(): void {
    const m = this.store.model;
    if (m.end !== null) return;
    const before = this.scale.pxPerMs;
    this.layout();
    if (this.scale.pxPerMs !== before) {
      this.render();
      return;
    }
    const ctx = this.context();
    for (const [i, el] of this.rowEls) {
      const row = this.rows[i];
      const moving = row.type === 'orchestration' || (row.type === 'item' ? m.items[row.item].outcome === 'pending' : m.items[row.item].attempts[row.attempt].outcome === 'pending');
      if (moving) renderRow(ctx, row, el);
    }
    renderHeader(ctx, this.axis, this.lane, this.store.selection.markerId);
    renderOverlay(ctx, this.overlay, this.rows.length * ROW_H);
    this.markSelection();
  }

  private context(): RowContext {
    const left = this.scroller.scrollLeft;
    return {
      model: this.store.model,
      scale: this.scale,
      now: this.store.now(),
      endTime: this.endTime,
      expanded: this.store.expanded,
      fromX: left - PAD_L,
      toX: left + this.scroller.clientWidth - LABEL_W - PAD_L,
    };
  }

  private lastLeft = -1;

  private renderVisible(force: boolean): void {
    const ctx = this.context();
    // Horizontal scrolling changes what the header, the overlay and the episodes show; vertical does not.
    const horizontal = force || ctx.fromX !== this.lastLeft;
    this.lastLeft = ctx.fromX;
    const top = this.scroller.scrollTop;
    const height = Math.max(ROW_H, this.scroller.clientHeight - HEADER_H);
    const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
    const last = Math.min(this.rows.length - 1, Math.ceil((top + height) / ROW_H) + OVERSCAN);
    for (const [i, el] of this.rowEls) {
      if (i < first || i > last) {
        el.remove();
        this.rowEls.delete(i);
      }
    }
    for (let i = first; i <= last; i++) {
      let el = this.rowEls.get(i);
      const fresh = !el;
      if (!el) {
        el = h('div.row', { role: 'treeitem' });
        el.style.top = `${HEADER_H + i * ROW_H}px`;
        this.rowEls.set(i, el);
        this.layer.append(el);
      }
      if (fresh || force || (i === 0 && horizontal)) {
        renderRow(ctx, this.rows[i], el);
        el.id = `tl-row-${i}`;
        el.dataset.row = String(i);
        el.dataset.key = rowKey(this.rows[i], ctx.model);
        const r = this.rows[i];
        if (r.type === 'item' && ctx.model.items[r.item].attempts.length > 1) el.setAttribute('aria-expanded', String(this.store.expanded.has(ctx.model.items[r.item].id)));
        el.setAttribute('aria-level', r.type === 'attempt' ? '2' : '1');
      }
    }
    if (horizontal) {
      renderHeader(ctx, this.axis, this.lane, this.store.selection.markerId);
      renderOverlay(ctx, this.overlay, this.rows.length * ROW_H);
    }
    this.markSelection();
  }

  /** Index of the row that shows the selection, or -1. */
  selectedRow(): number {
    const s = this.store.selection;
    if (s.itemId) {
      const item = findItem(this.store.model, s.itemId);
      if (item < 0) return -1;
      const at = this.rows.findIndex((r) => r.type === 'item' && r.item === item);
      if (s.attempt !== undefined && this.store.expanded.has(s.itemId)) return at + 1 + s.attempt;
      return at;
    }
    if (s.markerId) return 0;
    return -1;
  }

  private markSelection(): void {
    const selected = this.selectedRow();
    for (const [i, el] of this.rowEls) {
      const on = i === selected;
      el.classList.toggle('selected', on);
      el.setAttribute('aria-selected', String(on));
    }
    const el = this.rowEls.get(selected);
    if (el) this.scroller.setAttribute('aria-activedescendant', el.id);
    else this.scroller.removeAttribute('aria-activedescendant');
    const sel = this.store.selection.markerId;
    for (const mk of this.lane.querySelectorAll<HTMLElement>('.marker')) mk.classList.toggle('selected', !!sel && (mk.dataset.clusterIds ?? '').split(',').includes(sel));
  }

  /** Scrolls the selected row (and its bar, or the marker) into view. */
  private revealSelection(): void {
    const i = this.selectedRow();
    if (i < 0) return;
    const top = i * ROW_H;
    const view = this.scroller.clientHeight - HEADER_H;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_H > this.scroller.scrollTop + view) this.scroller.scrollTop = top + ROW_H - view;
    const s = this.store.selection;
    const m = this.store.model;
    let t: number | undefined;
    if (s.itemId && (i > 0 || !s.markerId)) {
      const item = m.items[findItem(m, s.itemId)];
      t = (s.attempt !== undefined ? item.attempts[s.attempt]?.scheduled : undefined) ?? item.scheduled;
    } else if (s.markerId) t = m.markers.find((x) => x.id === s.markerId)?.time;
    if (t !== undefined) {
      const x = LABEL_W + PAD_L + this.scale.x(t);
      const left = this.scroller.scrollLeft + LABEL_W;
      const right = this.scroller.scrollLeft + this.scroller.clientWidth - 40;
      if (x < left || x > right) this.scroller.scrollLeft = Math.max(0, x - LABEL_W - (this.scroller.clientWidth - LABEL_W) / 3);
    }
    this.renderVisible(false);
  }

  zoomBy(factor: number, clientX?: number): void {
    this.zoomTo(this.scale.pxPerMs * factor, clientX);
  }

  /** Zooms to `pxPerMs` (null: fit) keeping the time under `clientX` (default: the middle) in place. */
  zoomTo(pxPerMs: number | null, clientX?: number): void {
    const rect = this.scroller.getBoundingClientRect();
    const chartLeft = LABEL_W + PAD_L;
    const ax = clientX !== undefined ? clamp(clientX - rect.left, chartLeft, rect.width) : chartLeft + (this.scroller.clientWidth - chartLeft) / 2;
    const anchor = this.scale.time(this.scroller.scrollLeft + ax - chartLeft);
    if (pxPerMs !== null) {
      const m = this.store.model;
      const duration = Math.max(1, (m.end ?? Math.max(m.lastTime, this.store.now())) - m.start);
      const fit = fitScale(this.fitDuration, Math.max(100, this.scroller.clientWidth - LABEL_W - PAD_L - PAD_R));
      pxPerMs = clampZoom(pxPerMs, fit, duration);
      // Zooming out to the fit (or past it) is "fit": it then follows the history as it grows.
      if (pxPerMs <= fit * 1.0001) pxPerMs = null;
    }
    this.pxPerMs = pxPerMs;
    this.render();
    this.scroller.scrollLeft = Math.max(0, this.scale.x(anchor) + chartLeft - ax);
    this.renderVisible(true);
    this.host.persist();
  }

  private persistTimer: ReturnType<typeof setTimeout> | undefined;
  private persistSoon(): void {
    clearTimeout(this.persistTimer);
    this.persistTimer = setTimeout(() => this.host.persist(), 300);
  }

  /** Selects row `i` (the first row: a marker), or one attempt of a retry group. */
  selectRow(i: number, attempt?: number): void {
    const row = this.rows[clamp(i, 0, this.rows.length - 1)];
    if (!row) return;
    const m = this.store.model;
    if (row.type === 'orchestration') {
      const markerId = this.store.selection.markerId ?? m.markers[0]?.id;
      if (markerId) this.store.selectMarker(markerId);
      else this.store.select({});
    } else if (row.type === 'item') {
      const item = m.items[row.item];
      this.store.selectItem(item.id, attempt !== undefined && item.attempts.length > 1 ? attempt : undefined);
    } else this.store.selectItem(m.items[row.item].id, row.attempt);
  }

  /** Rows in the DOM (for tests and the benchmark: it must stay small). */
  get renderedRows(): number {
    return this.rowEls.size;
  }
}

/** Rounds up to 1, 2, 2.5 or 5 × a power of ten. */
function niceCeil(x: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(1, x)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

function legend(): HTMLElement {
  const chip = (cls: string, text: string) => h('span.legend-item', null, h('span', { class: `swatch ${cls}` }), text);
  return h(
    'span.legend',
    { 'aria-label': 'Legend' },
    chip('o-completed', 'completed'),
    chip('o-failed', 'failed'),
    chip('o-pending', 'running'),
    chip('o-cancelled', 'cancelled'),
    chip('retry-delay', 'retry delay'),
  );
}
