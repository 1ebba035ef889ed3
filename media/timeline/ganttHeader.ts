/**
 * The Gantt's sticky header (time axis and the lane of markers) and the overlay behind the rows (grid
 * lines, suspended intervals, marker lines, the current-time line). Only what is in view is drawn.
 */
import { h } from './dom.js';
import { formatDateTime, formatOffset } from './format.js';
import { markerIcon } from './icons.js';
import type { Marker } from './model.js';
import { LABEL_W, PAD_L } from './ganttRows.js';
import type { RowContext } from './ganttRows.js';
import { lowerBound } from './scale.js';

export const AXIS_H = 22;
export const LANE_H = 24;
export const HEADER_H = AXIS_H + LANE_H;

const MARKER_TEXT: Record<string, string> = {
  eventRaised: 'External event',
  eventSent: 'Event sent',
  suspended: 'Suspended',
  resumed: 'Resumed',
  rewound: 'Rewound',
  continuedAsNew: 'Continued as new',
  terminated: 'Terminated',
  completed: 'Completed',
  failed: 'Failed',
};

export function markerTitle(marker: Marker, start: number): string {
  const kind = MARKER_TEXT[marker.kind] ?? marker.kind;
  const name = marker.kind === 'eventRaised' || marker.kind === 'eventSent' ? `: ${marker.label}` : '';
  return `${kind}${name} at ${formatOffset(marker.time - start)} (${formatDateTime(marker.time)})`;
}

const bx = (ctx: RowContext, t: number) => LABEL_W + PAD_L + ctx.scale.x(t);

/** Axis ticks and markers, in the header's two layers. */
export function renderHeader(ctx: RowContext, axis: HTMLElement, lane: HTMLElement, selectedMarker: string | undefined): void {
  const m = ctx.model;
  const ticks = ctx.scale.ticks(Math.max(0, ctx.fromX), ctx.toX);
  const nodes: Node[] = [];
  for (const offset of ticks.offsets) {
    const t = h('div.tick', { title: formatDateTime(m.start + offset) }, formatOffset(offset, ticks.step));
    t.style.left = `${LABEL_W + PAD_L + offset * ctx.scale.pxPerMs}px`;
    nodes.push(t);
  }
  if (m.end === null) {
    const now = h('div.now-tag', { title: `now: ${formatDateTime(ctx.now)}` }, 'now');
    now.style.left = `${bx(ctx, ctx.now)}px`;
    nodes.push(now);
  }
  axis.replaceChildren(...nodes);

  renderMarkers(ctx, lane, selectedMarker);
}

/** Markers closer than this (px) share one button: its badge counts them, clicks cycle through them. */
export const CLUSTER_PX = 16;

const lanes = new WeakMap<HTMLElement, Map<string, HTMLButtonElement>>();

/**
 * The marker buttons, clustered, reusing the elements of the last render (keyed by their first marker)
 * so that a click is not lost to the re-render of a running instance's timeline every second.
 */
function renderMarkers(ctx: RowContext, lane: HTMLElement, selectedMarker: string | undefined): void {
  const m = ctx.model;
  const previous = lanes.get(lane) ?? new Map<string, HTMLButtonElement>();
  const next = new Map<string, HTMLButtonElement>();
  const first = lowerBound(m.markers, ctx.scale.time(ctx.fromX - CLUSTER_PX), (x) => x.time);
  for (let i = first; i < m.markers.length; ) {
    const x = bx(ctx, m.markers[i].time);
    if (x - LABEL_W - PAD_L > ctx.toX + CLUSTER_PX) break;
    const cluster: Marker[] = [];
    while (i < m.markers.length && bx(ctx, m.markers[i].time) - x < CLUSTER_PX) cluster.push(m.markers[i++]);
    const shown = cluster.find((c) => c.id === selectedMarker) ?? cluster[0];
    const key = cluster[0].id;
    const el = previous.get(key) ?? h('button', { type: 'button', tabindex: -1 });
    const title = cluster.map((c) => markerTitle(c, m.start)).join('\n') + (cluster.length > 1 ? '\n(click again for the next)' : '');
    el.className = `marker mk-${shown.kind}${cluster.some((c) => c.id === selectedMarker) ? ' selected' : ''}`;
    el.title = title;
    el.setAttribute('aria-label', cluster.length > 1 ? `${cluster.length} markers: ${title}` : title);
    el.dataset.markerId = shown.id;
    el.dataset.markerKind = shown.kind;
    el.dataset.clusterIds = cluster.map((c) => c.id).join(',');
    el.dataset.kinds = cluster.map((c) => c.kind).join(',');
    el.replaceChildren(markerIcon(shown.kind));
    if (cluster.length > 1) el.append(h('span.marker-count', null, String(cluster.length)));
    el.style.left = `${x}px`;
    next.set(key, el);
  }
  for (const [key, el] of previous) if (!next.has(key)) el.remove();
  for (const el of next.values()) if (el.parentNode !== lane) lane.append(el);
  lanes.set(lane, next);
}

/** Grid lines, suspensions, marker lines and the now line, over the rows' full height. */
export function renderOverlay(ctx: RowContext, overlay: HTMLElement, height: number): void {
  const m = ctx.model;
  overlay.style.height = `${height}px`;
  const nodes: Node[] = [];
  const ticks = ctx.scale.ticks(Math.max(0, ctx.fromX), ctx.toX);
  for (const offset of ticks.offsets) {
    const g = h('div.grid');
    g.style.left = `${LABEL_W + PAD_L + offset * ctx.scale.pxPerMs}px`;
    nodes.push(g);
  }
  for (const s of m.suspensions) {
    const from = bx(ctx, s.from);
    const to = bx(ctx, s.to ?? (m.end ?? ctx.now));
    const band = h('div.suspension', { title: 'suspended' });
    band.style.left = `${from}px`;
    band.style.width = `${Math.max(2, to - from)}px`;
    nodes.push(band);
  }
  const first = lowerBound(m.markers, ctx.scale.time(ctx.fromX - 2), (x) => x.time);
  let lastX = -Infinity;
  for (let i = first; i < m.markers.length; i++) {
    const marker = m.markers[i];
    const x = bx(ctx, marker.time);
    if (x - LABEL_W - PAD_L > ctx.toX + 2) break;
    if (x - lastX < 2) continue;
    lastX = x;
    const line = h('div', { class: `marker-line mk-${marker.kind}` });
    line.style.left = `${x}px`;
    nodes.push(line);
  }
  if (m.end === null) {
    const now = h('div.now-line', { title: 'now' });
    now.style.left = `${bx(ctx, ctx.now)}px`;
    nodes.push(now);
  }
  overlay.replaceChildren(...nodes);
}
