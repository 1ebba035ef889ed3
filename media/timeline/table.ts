/**
 * The raw history as a virtualized table (#, time, type, name, ids, payload) with a text filter. Only the
 * rows in view exist in the DOM. Linked to the timeline through the store's selection: selecting an event
 * selects the bar or marker it belongs to, and the events of a selected bar are highlighted here.
 */
import { clamp, frameThrottle, h } from './dom.js';
import { formatDateTime, formatOffset, plural } from './format.js';
import { eventIds, eventName, eventTypeName, preview, rawPayload } from './history.js';
import type { ChangeKind, Store } from './store.js';

export const TABLE_ROW_H = 22;
const OVERSCAN = 8;

export interface TableHost {
  openDetails(): void;
  persist(): void;
}

export class HistoryTable {
  readonly el: HTMLElement;
  readonly filterInput: HTMLInputElement;
  private readonly scroller: HTMLElement;
  private readonly body: HTMLElement;
  private readonly count: HTMLElement;
  private rowEls = new Map<number, HTMLElement>();
  /** Event indexes shown (all, or those matching the filter). */
  private shown: Int32Array = new Int32Array(0);
  private searchText: string[] = [];
  private filter = '';
  private related = new Set<number>();
  private readonly scheduleScroll = frameThrottle(() => this.renderVisible(false));
  private filterTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: Store,
    private readonly host: TableHost,
  ) {
    this.filterInput = h('input.filter', { type: 'search', placeholder: 'Filter events: type, name, id, payload', 'aria-label': 'Filter history events', spellcheck: 'false' });
    this.count = h('span.count', { 'aria-live': 'polite' });
    const head = h(
      'div.trow.thead',
      { role: 'row' },
      ...['#', 'Time', 'Type', 'Name', 'Ids', 'Payload'].map((t) => h('span', { class: 'cell', role: 'columnheader' }, t)),
    );
    this.body = h('div.tbody', { role: 'rowgroup' });
    this.scroller = h('div.table-scroll', { tabindex: 0, role: 'grid', 'aria-label': 'History events', 'aria-readonly': 'true' }, head, this.body);
    this.el = h(
      'section.history',
      { 'aria-label': 'History' },
      h('div.toolbar', null, h('span.section-title', null, 'History'), this.filterInput, this.count),
      this.scroller,
    );
    this.filterInput.addEventListener('input', () => {
      clearTimeout(this.filterTimer);
      this.filterTimer = setTimeout(() => this.setFilter(this.filterInput.value), 120);
    });
    this.filterInput.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape' && this.filterInput.value) {
        this.filterInput.value = '';
        this.setFilter('');
        ev.preventDefault();
      } else if (ev.key === 'ArrowDown') {
        this.scroller.focus();
        if (this.shown.length) this.move(0, true);
        ev.preventDefault();
      }
    });
    this.scroller.addEventListener('scroll', this.scheduleScroll);
    this.scroller.addEventListener('click', (ev) => {
      const row = (ev.target as HTMLElement).closest('.trow[data-index]') as HTMLElement | null;
      if (row) {
        this.store.selectEvent(Number(row.dataset.index));
        this.scroller.focus({ preventScroll: true });
      }
    });
    this.scroller.addEventListener('keydown', (ev) => this.onKey(ev));
    new ResizeObserver(() => this.renderVisible(false)).observe(this.scroller);
    store.on((kind) => this.onChange(kind));
  }

  get filterText(): string {
    return this.filter;
  }

  /** Sets the filter (also from persisted state). */
  setFilter(text: string): void {
    this.filter = text.trim().toLowerCase();
    if (this.filterInput.value !== text) this.filterInput.value = text;
    this.computeShown();
    this.scroller.scrollTop = 0;
    this.renderVisible(true);
    this.revealSelection();
    this.host.persist();
  }

  focus(): void {
    this.scroller.focus();
  }

  private onChange(kind: ChangeKind): void {
    if (kind === 'model') {
      const atBottom = this.scroller.scrollTop + this.scroller.clientHeight >= this.scroller.scrollHeight - 4 && this.scroller.scrollTop > 0;
      if (this.searchText.length > this.store.events.length) this.searchText = [];
      this.computeShown();
      this.renderVisible(true);
      // Following the tail: stay at the bottom as events arrive.
      if (atBottom) this.scroller.scrollTop = this.scroller.scrollHeight;
    } else if (kind === 'selection') {
      this.related = this.store.selectedEvents();
      this.markSelection();
      this.revealSelection();
    }
  }

  private searchOf(i: number): string {
    let s = this.searchText[i];
    if (s === undefined) {
      const e = this.store.events[i];
      s = `#${i} ${eventTypeName(e.EventType)} ${eventName(e)} ${eventIds(e)} ${e.InstanceId ?? ''} ${rawPayload(e) ?? ''} ${e.Details ?? ''}`.toLowerCase();
      this.searchText[i] = s;
    }
    return s;
  }

  private computeShown(): void {
    const n = this.store.events.length;
    if (!this.filter) {
      this.shown = new Int32Array(n);
      for (let i = 0; i < n; i++) this.shown[i] = i;
    } else {
      const out: number[] = [];
      const terms = this.filter.split(/\s+/);
      for (let i = 0; i < n; i++) {
        const s = this.searchOf(i);
        if (terms.every((t) => s.includes(t))) out.push(i);
      }
      this.shown = Int32Array.from(out);
    }
    this.body.style.height = `${this.shown.length * TABLE_ROW_H}px`;
    this.scroller.setAttribute('aria-rowcount', String(this.shown.length + 1));
    const total = this.store.total;
    const loading = this.store.loading ? ` (loading: ${n.toLocaleString('en-US')} of ${total.toLocaleString('en-US')})` : '';
    this.count.textContent = this.filter ? `${this.shown.length.toLocaleString('en-US')} of ${plural(n, 'event')}${loading}` : `${plural(n, 'event')}${loading}`;
  }

  private renderVisible(force: boolean): void {
    const top = this.scroller.scrollTop;
    const height = this.scroller.clientHeight;
    const first = Math.max(0, Math.floor(top / TABLE_ROW_H) - OVERSCAN);
    const last = Math.min(this.shown.length - 1, Math.ceil((top + height) / TABLE_ROW_H) + OVERSCAN);
    for (const [pos, el] of this.rowEls) {
      if (force || pos < first || pos > last) {
        el.remove();
        this.rowEls.delete(pos);
      }
    }
    const start = this.store.model.start;
    const selected = this.store.selection.eventIndex;
    for (let pos = first; pos <= last; pos++) {
      if (this.rowEls.has(pos)) continue;
      const index = this.shown[pos];
      const e = this.store.events[index];
      const t = Date.parse(e.Timestamp);
      const payload = rawPayload(e);
      const row = h(
        'div',
        { class: `trow t-${eventTypeName(e.EventType)}`, role: 'row', id: `ev-row-${index}`, 'data-index': index, 'aria-rowindex': pos + 2 },
        h('span.cell.num', { role: 'gridcell' }, String(index)),
        h('span.cell.time', { role: 'gridcell', title: formatDateTime(t) }, formatOffset(t - start)),
        h('span.cell.type', { role: 'gridcell' }, eventTypeName(e.EventType)),
        h('span.cell.name', { role: 'gridcell', title: eventName(e) }, eventName(e)),
        h('span.cell.ids', { role: 'gridcell' }, eventIds(e)),
        h('span.cell.payload', { role: 'gridcell', title: preview(payload, 600) }, preview(payload, 200)),
      );
      row.style.top = `${pos * TABLE_ROW_H}px`;
      if (index === selected) row.classList.add('selected');
      if (this.related.has(index)) row.classList.add('related');
      this.rowEls.set(pos, row);
      this.body.append(row);
    }
    this.updateActive();
  }

  private markSelection(): void {
    const selected = this.store.selection.eventIndex;
    for (const el of this.rowEls.values()) {
      const i = Number(el.dataset.index);
      el.classList.toggle('selected', i === selected);
      el.classList.toggle('related', this.related.has(i));
      el.setAttribute('aria-selected', String(i === selected));
    }
    this.updateActive();
  }

  private updateActive(): void {
    const i = this.store.selection.eventIndex;
    if (i !== undefined && document.getElementById(`ev-row-${i}`)) this.scroller.setAttribute('aria-activedescendant', `ev-row-${i}`);
    else this.scroller.removeAttribute('aria-activedescendant');
  }

  /** Position in `shown` of an event index (binary search: `shown` is sorted). */
  private positionOf(index: number): number {
    let lo = 0;
    let hi = this.shown.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.shown[mid] < index) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.shown.length && this.shown[lo] === index ? lo : -1;
  }

  private scrollToPosition(pos: number): void {
    const top = pos * TABLE_ROW_H;
    const view = this.scroller.clientHeight - TABLE_ROW_H; // minus the sticky header
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + TABLE_ROW_H > this.scroller.scrollTop + view) this.scroller.scrollTop = top + TABLE_ROW_H - view;
    this.renderVisible(false);
  }

  private revealSelection(): void {
    const s = this.store.selection;
    if (s.eventIndex !== undefined) {
      const pos = this.positionOf(s.eventIndex);
      if (pos >= 0) this.scrollToPosition(pos);
      return;
    }
    if (!this.related.size) return;
    // A bar is selected: show its first event unless one of them is already in view.
    const firstVisible = Math.floor(this.scroller.scrollTop / TABLE_ROW_H);
    const lastVisible = firstVisible + Math.floor(this.scroller.clientHeight / TABLE_ROW_H) - 2;
    const positions = [...this.related].map((i) => this.positionOf(i)).filter((p) => p >= 0).sort((a, b) => a - b);
    if (positions.length && !positions.some((p) => p >= firstVisible && p <= lastVisible)) this.scrollToPosition(positions[0]);
  }

  private move(pos: number, absolute = false): void {
    if (!this.shown.length) return;
    const current = this.store.selection.eventIndex === undefined ? -1 : this.positionOf(this.store.selection.eventIndex);
    const target = clamp(absolute ? pos : current < 0 ? 0 : current + pos, 0, this.shown.length - 1);
    this.store.selectEvent(this.shown[target]);
  }

  private onKey(ev: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(this.scroller.clientHeight / TABLE_ROW_H) - 2);
    let handled = true;
    switch (ev.key) {
      case 'ArrowDown':
        this.move(1);
        break;
      case 'ArrowUp':
        this.move(-1);
        break;
      case 'PageDown':
        this.move(page);
        break;
      case 'PageUp':
        this.move(-page);
        break;
      case 'Home':
        this.move(0, true);
        break;
      case 'End':
        this.move(this.shown.length - 1, true);
        break;
      case 'Enter':
        if (this.store.selection.eventIndex === undefined) this.move(0);
        this.host.openDetails();
        break;
      default:
        if (ev.key.length === 1 && !ev.ctrlKey && !ev.metaKey && !ev.altKey && /\S/.test(ev.key)) {
          // Typing starts filtering.
          this.filterInput.focus();
          handled = false;
        } else handled = false;
    }
    if (handled) ev.preventDefault();
  }

  /** Rows in the DOM (tests and the benchmark check it stays small). */
  get renderedRows(): number {
    return this.rowEls.size;
  }
}
