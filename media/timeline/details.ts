/**
 * The details pane: what is selected (a bar, one attempt of a retry group, a marker or a raw event),
 * its times, ids, and its input / result / error pretty-printed with copy buttons.
 */
import { button, h } from './dom.js';
import { errorText, errorWithStack, formatDateTime, formatDuration, formatOffset, prettyPayload } from './format.js';
import { eventTypeName } from './history.js';
import { icon, kindIcon, markerIcon, outcomeIcon } from './icons.js';
import { findItem } from './model.js';
import type { Attempt, ErrorInfo, Marker, TimelineItem } from './model.js';
import { itemLabel } from './ganttRows.js';
import { markerTitle } from './ganttHeader.js';
import type { Store } from './store.js';

export interface DetailsHost {
  copy(text: string, what: string): void;
  openInstance(instanceId: string): void;
}

const KIND_TEXT: Record<string, string> = {
  activity: 'Activity',
  subOrchestration: 'Sub-orchestration',
  timer: 'Timer',
  http: 'HTTP call',
  entity: 'Entity call',
};

export class DetailsView {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private lastKey = '';

  constructor(
    private readonly store: Store,
    private readonly host: DetailsHost,
  ) {
    this.body = h('div.details-body', { tabindex: -1 });
    this.el = h('aside.details', { 'aria-label': 'Details', 'aria-live': 'polite' }, h('div.toolbar', null, h('span.section-title', null, 'Details')), this.body);
    this.body.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.el.dispatchEvent(new CustomEvent('details-escape', { bubbles: true }));
    });
    store.on((kind) => {
      if (kind === 'selection' || kind === 'model') this.render(kind === 'selection');
    });
    this.render(true);
  }

  focus(): void {
    this.body.focus();
  }

  /** Re-renders; on model changes only when something visible could have changed (keeps scroll). */
  render(force: boolean): void {
    const s = this.store.selection;
    const m = this.store.model;
    const itemIndex = s.itemId ? findItem(m, s.itemId) : -1;
    const item = itemIndex >= 0 ? m.items[itemIndex] : undefined;
    const key = JSON.stringify([s, item ? [item.outcome, item.attempts.length, item.ended] : null, m.eventCount]);
    if (!force && key === this.lastKey) return;
    this.lastKey = key;
    const scroll = this.body.scrollTop;
    if (item) this.body.replaceChildren(...this.itemView(item, s.attempt));
    else if (s.markerId) {
      const marker = m.markers.find((x) => x.id === s.markerId);
      this.body.replaceChildren(...(marker ? this.markerView(marker) : []));
    } else if (s.eventIndex !== undefined && this.store.events[s.eventIndex]) this.body.replaceChildren(...this.eventView(s.eventIndex));
    else this.body.replaceChildren(this.emptyView());
    if (!force) this.body.scrollTop = scroll;
  }

  private emptyView(): HTMLElement {
    return h(
      'div.empty',
      null,
      h('p', null, 'Select a bar, a marker or a history event to see its input, result or error.'),
      h('p.hint', null, 'Keyboard: ↑/↓ move, →/← expand or collapse retries, Enter shows details, Ctrl+Enter opens a sub-orchestration, +/−/0 zoom.'),
    );
  }

  private itemView(item: TimelineItem, attemptIndex: number | undefined): Node[] {
    const m = this.store.model;
    const now = this.store.now();
    const group = item.attempts.length > 1;
    const attempt = attemptIndex !== undefined ? item.attempts[attemptIndex] : item.attempts[item.attempts.length - 1];
    const kind = item.entity?.signal ? 'Entity signal' : KIND_TEXT[item.kind];
    const shownOutcome = group && attemptIndex !== undefined ? attempt.outcome : item.outcome;
    const nodes: Node[] = [
      h('div.details-title', null, kindIcon(item.kind), h('span.title-text', null, itemLabel(item)), h('span', { class: `badge outcome o-${shownOutcome}` }, shownOutcome)),
      h('div.details-sub', null, `${kind} · sequence id ${item.sequenceId}${group ? ` · ${item.attempts.length} attempts` : ''}${attemptIndex !== undefined && group ? ` · showing attempt ${attemptIndex + 1}` : ''}`),
    ];
    const rows: Array<[string, Node | string]> = [];
    const time = (t: number) => `${formatOffset(t - m.start)}  (${formatDateTime(t)})`;
    rows.push(['Scheduled', time(attempt.scheduled)]);
    if (attempt.started !== null && item.kind !== 'timer') rows.push(['Started', time(attempt.started)]);
    if (item.kind === 'timer' && item.fireAt !== undefined) rows.push(['Due', time(item.fireAt)]);
    if (attempt.ended !== null) rows.push([item.outcome === 'cancelled' ? 'Abandoned' : attempt.outcome === 'failed' ? 'Failed' : item.kind === 'timer' ? 'Fired' : 'Completed', time(attempt.ended)]);
    const duration = (attempt.ended ?? now) - attempt.scheduled;
    rows.push(['Duration', `${formatDuration(duration)}${attempt.ended === null ? ' so far' : ''}`]);
    if (attempt.started !== null && attempt.started > attempt.scheduled && item.kind !== 'timer') {
      rows.push(['Waiting for a worker', formatDuration(attempt.started - attempt.scheduled)]);
      rows.push(['Running', formatDuration((attempt.ended ?? now) - attempt.started)]);
    }
    if (group) rows.push(['All attempts', `${formatDuration((item.ended ?? now) - item.scheduled)} from the first scheduling`]);
    if (item.http) {
      rows.push(['Request', `${item.http.method} ${item.http.uri}`]);
      if (item.http.statusCode !== undefined) rows.push(['Status code', String(item.http.statusCode)]);
    }
    if (item.entity) rows.push(['Entity', `${item.entity.name} / ${item.entity.key} · operation ${item.entity.operation}${item.entity.signal ? ' (signal, no reply)' : ''}`]);
    const childId = attempt.instanceId ?? item.instanceId;
    if (item.kind === 'subOrchestration' && childId) {
      rows.push(['Instance', h('span.inline', null, h('code', null, childId), button('link-button open-instance', 'Open timeline', `Open sub-orchestration ${childId}`, icon('open'), () => this.host.openInstance(childId)))]);
    }
    nodes.push(fields(rows));
    if (attempt.retry) {
      const r = attempt.retry;
      nodes.push(h('p.note', null, icon('clock'), ` Retried after a delay until ${formatOffset(r.fireAt - m.start)}${r.fired === null ? ' (waiting)' : ''}${attemptIndex !== undefined && attempt === item.attempts[item.attempts.length - 1] ? ' (no attempt left)' : ''}.`));
    }
    if (group) nodes.push(this.attemptsTable(item, attemptIndex));
    if (attempt.input !== undefined) nodes.push(this.payload('Input', attempt.input, 'input'));
    if (attempt.result !== undefined) nodes.push(this.payload('Result', attempt.result, 'result'));
    if (attempt.error) nodes.push(this.errorBlock(attempt.error));
    nodes.push(this.eventsList(attemptIndex !== undefined ? [...attempt.eventIndexes, ...(attempt.retry?.eventIndexes ?? [])] : item.eventIndexes));
    return nodes;
  }

  private attemptsTable(item: TimelineItem, selected: number | undefined): HTMLElement {
    const m = this.store.model;
    const list = h('ol.attempts-list', { 'aria-label': 'Attempts' });
    item.attempts.forEach((a: Attempt, i) => {
      const entry = h(
        'li',
        { class: i === selected ? 'selected' : '' },
        button('link-button attempt-link', `Attempt ${a.number}`, `Show attempt ${a.number}`, outcomeIcon(a.outcome), () => this.store.selectItem(item.id, i)),
        h('span.meta', null, ` ${formatOffset(a.scheduled - m.start)} · ${a.ended !== null ? formatDuration(a.ended - a.scheduled) : 'running'}`),
        a.error ? h('span.error-text', null, ` ${a.error.message}`) : null,
      );
      list.append(entry);
    });
    return h('div.section', null, h('h3', null, 'Attempts'), list);
  }

  private payload(title: string, text: string | null, what: string): HTMLElement {
    const pretty = text === null ? 'null' : prettyPayload(text);
    return h(
      'div.section.payload',
      { 'data-payload': what },
      h('div.section-head', null, h('h3', null, title), button('icon-button copy', '', `Copy ${title.toLowerCase()}`, icon('copy'), () => this.host.copy(pretty, title.toLowerCase()))),
      h('pre.code', { tabindex: 0 }, pretty),
    );
  }

  private errorBlock(error: ErrorInfo): HTMLElement {
    const text = errorWithStack(error.type, error.message, error.details);
    return h(
      'div.section.payload.error',
      { 'data-payload': 'error' },
      h('div.section-head', null, h('h3', null, 'Error'), button('icon-button copy', '', 'Copy error', icon('copy'), () => this.host.copy(text, 'error'))),
      h('div.error-message', null, icon('error'), h('span', null, errorText(error.type, error.message))),
      error.details ? h('pre.code.stack', { tabindex: 0 }, error.details) : null,
    );
  }

  private eventsList(indexes: number[]): HTMLElement {
    const list = h('div.event-links');
    for (const i of [...indexes].sort((a, b) => a - b)) {
      const e = this.store.events[i];
      if (!e) continue;
      list.append(button('link-button event-link', `#${i} ${eventTypeName(e.EventType)}`, `Show event ${i} in the history`, undefined, () => this.store.selectEvent(i)));
    }
    return h('div.section', null, h('h3', null, 'History events'), list);
  }

  private markerView(marker: Marker): Node[] {
    const m = this.store.model;
    const nodes: Node[] = [
      h('div.details-title', null, markerIcon(marker.kind), h('span.title-text', null, marker.label)),
      h('div.details-sub', null, markerTitle(marker, m.start)),
    ];
    if (marker.error) nodes.push(this.errorBlock(marker.error));
    else if (marker.payload !== undefined && marker.payload !== null) {
      nodes.push(this.payload(marker.kind === 'eventRaised' || marker.kind === 'eventSent' ? 'Event data' : marker.kind === 'completed' ? 'Output' : marker.kind === 'continuedAsNew' ? 'New input' : 'Reason', marker.payload, 'marker'));
    }
    nodes.push(this.eventsList([marker.eventIndex]));
    return nodes;
  }

  private eventView(index: number): Node[] {
    const e = this.store.events[index];
    const text = JSON.stringify(e, null, 2);
    return [
      h('div.details-title', null, icon('info'), h('span.title-text', null, `#${index} ${eventTypeName(e.EventType)}`)),
      h('div.details-sub', null, `${formatOffset(Date.parse(e.Timestamp) - this.store.model.start)} (${formatDateTime(Date.parse(e.Timestamp))})`),
      h(
        'div.section.payload',
        { 'data-payload': 'event' },
        h('div.section-head', null, h('h3', null, 'Raw event'), button('icon-button copy', '', 'Copy event JSON', icon('copy'), () => this.host.copy(text, 'event'))),
        h('pre.code', { tabindex: 0 }, text),
      ),
    ];
  }
}

function fields(rows: Array<[string, Node | string]>): HTMLElement {
  const dl = h('dl.fields');
  for (const [k, v] of rows) dl.append(h('dt', null, k), h('dd', null, v));
  return dl;
}
