/**
 * One row of the Gantt: its sticky label (twisty, outcome and kind icons, name, attempts badge) and its bars
 * (attempt segments, retry delays, timers, the orchestration's span and episodes). Geometry comes from the
 * caller's TimeScale; everything is absolutely positioned through the CSSOM.
 */
import { h } from './dom.js';
import { formatDuration, formatOffset } from './format.js';
import { icon, kindIcon, outcomeIcon } from './icons.js';
import type { Attempt, TimelineItem, TimelineModel } from './model.js';
import { lowerBound } from './scale.js';
import type { TimeScale } from './scale.js';

export type Row = { type: 'orchestration' } | { type: 'item'; item: number } | { type: 'attempt'; item: number; attempt: number };

export const ROW_H = 22;
export const LABEL_W = 280;
/** Room left of t = start, and right of the end for trailing texts. */
export const PAD_L = 12;
export const PAD_R = 160;

export interface RowContext {
  model: TimelineModel;
  scale: TimeScale;
  now: number;
  /** End of the drawn range: the execution's end, or now. */
  endTime: number;
  expanded: Set<string>;
  /** Visible chart x-range (chart coordinates), for horizontal virtualization of episodes. */
  fromX: number;
  toX: number;
}

/** Rows: the orchestration, then one per item, plus one per attempt of expanded retry groups. */
export function buildRows(model: TimelineModel, expanded: Set<string>): Row[] {
  const rows: Row[] = [{ type: 'orchestration' }];
  model.items.forEach((item, i) => {
    rows.push({ type: 'item', item: i });
    if (item.attempts.length > 1 && expanded.has(item.id)) item.attempts.forEach((_, a) => rows.push({ type: 'attempt', item: i, attempt: a }));
  });
  return rows;
}

export function rowKey(row: Row, model: TimelineModel): string {
  if (row.type === 'orchestration') return 'orchestration';
  const item = model.items[row.item];
  return row.type === 'item' ? item.id : `${item.id}#${row.attempt + 1}`;
}

const STATUS_OUTCOME: Record<string, string> = {
  Completed: 'completed',
  Failed: 'failed',
  Terminated: 'terminated',
  Running: 'pending',
  Pending: 'pending',
  Suspended: 'suspended',
  ContinuedAsNew: 'continued',
};

export function statusOutcome(status: string): string {
  return STATUS_OUTCOME[status] ?? 'pending';
}

/** Display name of an item (timers get their planned duration). */
export function itemLabel(item: TimelineItem): string {
  if (item.kind === 'timer' && item.fireAt !== undefined) return `Timer ${formatDuration(item.delay ?? item.fireAt - item.scheduled)}`;
  return item.name;
}

const bx = (ctx: RowContext, t: number) => LABEL_W + PAD_L + ctx.scale.x(t);

function segment(ctx: RowContext, cls: string, from: number, to: number, title: string): HTMLElement {
  const left = bx(ctx, from);
  const width = Math.max(2, bx(ctx, to) - left);
  const el = h('div', { class: `bar ${cls}`, title });
  el.style.left = `${left}px`;
  el.style.width = `${width}px`;
  return el;
}

function trailing(ctx: RowContext, at: number, text: string): HTMLElement {
  const el = h('span.bar-text', null, text);
  el.style.left = `${bx(ctx, at) + 6}px`;
  return el;
}

function attemptTitle(item: TimelineItem, a: Attempt, now: number): string {
  const parts = [`${itemLabel(item)}${item.attempts.length > 1 ? ` — attempt ${a.number} of ${item.attempts.length}` : ''}`, a.outcome];
  parts.push(a.ended !== null ? formatDuration(a.ended - a.scheduled) : `running for ${formatDuration(now - a.scheduled)}`);
  if (a.error) parts.push(a.error.message.slice(0, 200));
  return parts.join(' · ');
}

/** Bars of one attempt (and of the retry delay after it). */
function attemptBars(ctx: RowContext, el: HTMLElement, item: TimelineItem, a: Attempt, index: number): void {
  const end = a.ended ?? ctx.now;
  const kindCls = `k-${item.kind}`;
  if (a.started !== null && a.started > a.scheduled) {
    // Known queue time: drawn apart (lighter) from the run time.
    el.append(segment(ctx, `${kindCls} o-${a.outcome} queued`, a.scheduled, a.started, `waiting for a worker: ${formatDuration(a.started - a.scheduled)}`));
    const run = segment(ctx, `${kindCls} o-${a.outcome}`, a.started, end, attemptTitle(item, a, ctx.now));
    run.dataset.attempt = String(index);
    el.append(run);
  } else {
    const bar = segment(ctx, `${kindCls} o-${a.outcome}`, a.scheduled, end, attemptTitle(item, a, ctx.now));
    bar.dataset.attempt = String(index);
    el.append(bar);
  }
  if (a.retry) {
    const r = a.retry;
    const delayEnd = r.fired ?? (ctx.model.end !== null ? Math.min(r.fireAt, ctx.model.end) : Math.max(ctx.now, r.created));
    const d = segment(ctx, 'retry-delay', r.created, delayEnd, `retry delay until ${formatOffset(r.fireAt - ctx.model.start)}${r.fired === null ? ' (waiting)' : ''}`);
    d.dataset.attempt = String(index);
    el.append(d);
  }
}

function timerBars(ctx: RowContext, el: HTMLElement, item: TimelineItem): void {
  const fireAt = item.fireAt ?? item.scheduled;
  if (item.outcome === 'pending') {
    // Elapsed part solid, the rest (to the due time) dashed.
    const until = Math.min(ctx.now, fireAt);
    el.append(segment(ctx, 'k-timer o-pending', item.scheduled, Math.max(until, item.scheduled), `${itemLabel(item)} · due in ${formatDuration(fireAt - ctx.now)}`));
    if (fireAt > until) el.append(segment(ctx, 'k-timer o-pending future', until, fireAt, `due at ${formatOffset(fireAt - ctx.model.start)}`));
    el.append(trailing(ctx, Math.max(fireAt, until), `due ${formatOffset(fireAt - ctx.model.start)}`));
    return;
  }
  const end = item.ended ?? fireAt;
  const title = item.outcome === 'cancelled' ? `${itemLabel(item)} · cancelled (never fired; was due at ${formatOffset(fireAt - ctx.model.start)})` : `${itemLabel(item)} · fired after ${formatDuration(end - item.scheduled)}`;
  const bar = segment(ctx, `k-timer o-${item.outcome}`, item.scheduled, end, title);
  bar.dataset.attempt = '0';
  el.append(bar);
  el.append(trailing(ctx, end, item.outcome === 'cancelled' ? 'cancelled' : formatDuration(end - item.scheduled)));
}

/** Fills a row element: label and bars (sub-orchestration buttons carry data-instance-id for the caller). */
export function renderRow(ctx: RowContext, row: Row, el: HTMLElement): void {
  el.replaceChildren();
  const m = ctx.model;
  if (row.type === 'orchestration') {
    renderOrchestration(ctx, el);
    return;
  }
  const item = m.items[row.item];
  const group = item.attempts.length > 1;
  el.dataset.kind = item.kind;
  el.dataset.outcome = row.type === 'attempt' ? item.attempts[row.attempt].outcome : item.outcome;
  el.dataset.itemId = item.id;
  const label = h('div.row-label');
  if (row.type === 'attempt') {
    const a = item.attempts[row.attempt];
    el.dataset.attempt = String(row.attempt);
    label.append(h('span.twisty.indent'), outcomeIcon(a.outcome), h('span.name', { title: `${item.name} attempt ${a.number}` }, `Attempt ${a.number}`), h('span.meta', null, `#${a.sequenceId}`));
  } else {
    const twisty = h('span.twisty', { 'data-action': 'toggle' });
    if (group) {
      twisty.append(icon(ctx.expanded.has(item.id) ? 'chevronDown' : 'chevronRight'));
      twisty.title = ctx.expanded.has(item.id) ? 'Collapse attempts' : 'Show attempts';
    }
    label.append(twisty, outcomeIcon(item.outcome), kindIcon(item.kind), h('span.name', { title: `${itemLabel(item)} (${item.kind}, sequence id ${item.sequenceId})` }, itemLabel(item)));
    if (group) label.append(h('span.badge.attempts', { title: `${item.attempts.length} attempts (retried)` }, `×${item.attempts.length}`));
    if (item.kind === 'subOrchestration' && item.instanceId) {
      // Activated by the Gantt's pointerdown handler (data-instance-id), which survives re-renders.
      label.append(h('button.open-child', { type: 'button', title: `Open sub-orchestration ${item.instanceId}`, 'aria-label': `Open sub-orchestration ${item.instanceId}`, tabindex: -1, 'data-instance-id': item.instanceId }, icon('open')));
    }
    label.append(h('span.meta', null, `#${item.sequenceId}`));
  }
  el.append(label);

  if (item.kind === 'timer') {
    timerBars(ctx, el, item);
    return;
  }
  const attempts = row.type === 'attempt' ? [row.attempt] : item.attempts.map((_, i) => i);
  for (const i of attempts) attemptBars(ctx, el, item, item.attempts[i], i);
  const last = item.attempts[attempts[attempts.length - 1]];
  const lastEnd = last.retry ? (last.retry.fired ?? Math.max(last.retry.fireAt, last.ended ?? ctx.now)) : (last.ended ?? ctx.now);
  const first = item.attempts[attempts[0]];
  let text = formatDuration((row.type === 'attempt' ? (last.ended ?? ctx.now) : (item.ended ?? ctx.now)) - first.scheduled);
  if (item.http?.statusCode !== undefined && row.type === 'item') text = `${item.http.statusCode} · ${text}`;
  if (item.entity?.signal) text = 'signal';
  if (group && row.type === 'item') text = `${item.attempts.length} attempts · ${text}`;
  el.append(trailing(ctx, lastEnd, text));
  if (item.kind === 'subOrchestration' && item.instanceId && row.type === 'item') {
    const open = h('button.bar-open', { type: 'button', title: `Open sub-orchestration ${item.instanceId}`, 'aria-label': `Open sub-orchestration ${item.instanceId}`, tabindex: -1, 'data-instance-id': item.instanceId }, icon('open'));
    open.style.left = `${bx(ctx, item.ended ?? ctx.now) - 18}px`;
    // Only when the bar is wide enough to hold it; the label's button is always there.
    if (bx(ctx, item.ended ?? ctx.now) - bx(ctx, item.scheduled) > 26) el.append(open);
  }
}

function renderOrchestration(ctx: RowContext, el: HTMLElement): void {
  const m = ctx.model;
  const outcome = statusOutcome(m.status);
  el.dataset.kind = 'orchestration';
  el.dataset.outcome = outcome;
  el.append(
    h('div.row-label', null, h('span.twisty'), outcomeIcon(outcome === 'completed' ? 'completed' : outcome === 'failed' || outcome === 'terminated' ? 'failed' : 'pending'), kindIcon('orchestration'), h('span.name.orchestration-name', { title: m.name }, m.name || 'Orchestration'), h('span.meta', null, `${m.episodes.length} episodes`)),
  );
  const end = m.end ?? ctx.now;
  const span = segment(ctx, `span o-${outcome}`, m.start, end, `${m.name} · ${m.status} · ${formatDuration(end - m.start)}`);
  el.append(span);
  // Episodes (orchestrator replays) inside the span: only those in view, and at most one per pixel.
  const from = lowerBound(m.episodes, ctx.scale.time(ctx.fromX - 4), (e) => e.end ?? ctx.now);
  let lastRight = -Infinity;
  for (let i = from; i < m.episodes.length; i++) {
    const ep = m.episodes[i];
    const left = bx(ctx, ep.start);
    if (left - LABEL_W - PAD_L > ctx.toX + 4) break;
    const right = bx(ctx, ep.end ?? ctx.now);
    if (right < lastRight + 1) continue;
    const e = h('div.episode', { title: `episode ${i + 1}: ${formatDuration((ep.end ?? ctx.now) - ep.start)}` });
    e.style.left = `${left}px`;
    e.style.width = `${Math.max(1, right - left)}px`;
    el.append(e);
    lastRight = Math.max(right, left + 1);
  }
  el.append(trailing(ctx, end, formatDuration(end - m.start)));
}
