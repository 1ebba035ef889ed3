/**
 * Small line icons in the spirit of VS Code's codicons, drawn as inline SVG (no font, no remote
 * resource; presentation attributes, not style attributes, so the CSP is happy). 16×16, currentColor.
 */

const NS = 'http://www.w3.org/2000/svg';

/** Each icon: path data (stroked) and optional filled shapes. */
const ICONS: Record<string, { d: string; fill?: string }> = {
  check: { d: 'M3 8.5l3 3 7-7' },
  error: { d: 'M8 1.75a6.25 6.25 0 1 0 0 12.5a6.25 6.25 0 1 0 0-12.5zM5.75 5.75l4.5 4.5M10.25 5.75l-4.5 4.5' },
  pending: { d: 'M8 1.75a6.25 6.25 0 1 0 6.25 6.25M8 4.5V8l2.5 1.5' },
  clock: { d: 'M8 1.75a6.25 6.25 0 1 0 0 12.5a6.25 6.25 0 1 0 0-12.5zM8 4.5V8l2.5 1.5' },
  cancelled: { d: 'M8 1.75a6.25 6.25 0 1 0 0 12.5a6.25 6.25 0 1 0 0-12.5zM3.6 3.6l8.8 8.8' },
  activity: { d: 'M8 1.8l5.5 3.1v6.2L8 14.2l-5.5-3.1V4.9zM2.5 4.9L8 8l5.5-3.1M8 8v6.2' },
  sub: { d: 'M2 2.5h5v4H2zM9 9.5h5v4H9zM4.5 6.5v5h4.5' },
  http: { d: 'M8 1.75a6.25 6.25 0 1 0 0 12.5a6.25 6.25 0 1 0 0-12.5zM1.75 8h12.5M8 1.75c-3.2 3.4-3.2 9.1 0 12.5M8 1.75c3.2 3.4 3.2 9.1 0 12.5' },
  entity: { d: 'M2.75 3.75c0-1.1 2.35-2 5.25-2s5.25.9 5.25 2v8.5c0 1.1-2.35 2-5.25 2s-5.25-.9-5.25-2zM2.75 3.75c0 1.1 2.35 2 5.25 2s5.25-.9 5.25-2M2.75 8c0 1.1 2.35 2 5.25 2s5.25-.9 5.25-2' },
  event: { d: 'M1.75 3.75h12.5v8.5H1.75zM1.75 3.75L8 8.75l6.25-5' },
  send: { d: 'M1.75 8L14 2.5 11.5 13.5 8 9.5zM8 9.5L14 2.5' },
  pause: { d: 'M5.5 3v10M10.5 3v10' },
  play: { d: 'M4.5 2.75v10.5L13 8z' },
  terminate: { d: 'M8 1.75a6.25 6.25 0 1 0 0 12.5a6.25 6.25 0 1 0 0-12.5zM5.5 5.5h5v5h-5z' },
  rewind: { d: 'M2.5 3v3.5H6M2.9 6.3A5.75 5.75 0 1 1 2.5 9.5M8 5v3.25l2 1.25' },
  restart: { d: 'M13.5 3v3.5H10M13.1 6.3A5.75 5.75 0 1 0 13.5 9.5' },
  trash: { d: 'M2.5 4h11M6 4V2.5h4V4M4 4l.75 9.5h6.5L12 4M6.75 6.5v4.5M9.25 6.5v4.5' },
  save: { d: 'M8 2v8.5M4.5 7L8 10.5 11.5 7M2.5 12v1.75h11V12' },
  copy: { d: 'M5.5 5.5h8v8h-8zM10.5 5.5v-3h-8v8h3' },
  open: { d: 'M9 2.5h4.5V7M13.5 2.5L7.5 8.5M11.5 9.5v4h-9v-9h4' },
  back: { d: 'M13.5 8h-11M6.5 4L2.5 8l4 4' },
  up: { d: 'M8 13.5v-11M4 6.5l4-4 4 4' },
  zoomIn: { d: 'M7 2.25a4.75 4.75 0 1 0 0 9.5a4.75 4.75 0 1 0 0-9.5zM10.4 10.4l3.6 3.6M4.75 7h4.5M7 4.75v4.5' },
  zoomOut: { d: 'M7 2.25a4.75 4.75 0 1 0 0 9.5a4.75 4.75 0 1 0 0-9.5zM10.4 10.4l3.6 3.6M4.75 7h4.5' },
  fit: { d: 'M1.75 5V1.75H5M11 1.75h3.25V5M14.25 11v3.25H11M5 14.25H1.75V11M4.5 8h7M6 6.25L4.25 8 6 9.75M10 6.25L11.75 8 10 9.75' },
  follow: { d: 'M8 1.75v2.5M8 11.75v2.5M1.75 8h2.5M11.75 8h2.5M8 5a3 3 0 1 0 0 6a3 3 0 1 0 0-6z' },
  chevronRight: { d: 'M6 3.5L10.5 8 6 12.5' },
  chevronDown: { d: 'M3.5 6L8 10.5 12.5 6' },
  loop: { d: 'M2.5 7.5V6a2.5 2.5 0 0 1 2.5-2.5h8.5M11 1l2.5 2.5L11 6M13.5 8.5V10a2.5 2.5 0 0 1-2.5 2.5H2.5M5 15l-2.5-2.5L5 10' },
  flag: { d: 'M3.5 14.5V2M3.5 2.5h9l-2 3 2 3h-9' },
  orchestration: { d: 'M2 3.5h12M2 8h8M2 12.5h10', fill: '' },
  info: { d: 'M8 1.75a6.25 6.25 0 1 0 0 12.5a6.25 6.25 0 1 0 0-12.5zM8 7v4.5M8 4.6v.2' },
  warning: { d: 'M8 1.75L14.5 13.5h-13zM8 6v3.75M8 11.6v.2' },
  filter: { d: 'M1.75 2.75h12.5L9.5 8.5v4.75l-3 1.5V8.5z' },
};

export type IconName = keyof typeof ICONS;

export function icon(name: IconName, cls = ''): SVGSVGElement {
  const spec = ICONS[name];
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', `icon icon-${name}${cls ? ` ${cls}` : ''}`);
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', spec.d);
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', 'currentColor');
  path.setAttribute('stroke-width', '1.3');
  path.setAttribute('stroke-linecap', 'round');
  path.setAttribute('stroke-linejoin', 'round');
  svg.append(path);
  return svg;
}

/** Icon of an outcome (completed/failed/pending/cancelled). */
export function outcomeIcon(outcome: string): SVGSVGElement {
  const name: IconName = outcome === 'completed' ? 'check' : outcome === 'failed' ? 'error' : outcome === 'cancelled' ? 'cancelled' : 'pending';
  return icon(name, `outcome-${outcome}`);
}

/** Icon of an item kind. */
export function kindIcon(kind: string): SVGSVGElement {
  const name: IconName = kind === 'subOrchestration' ? 'sub' : kind === 'timer' ? 'clock' : kind === 'http' ? 'http' : kind === 'entity' ? 'entity' : kind === 'orchestration' ? 'orchestration' : 'activity';
  return icon(name, `kind-${kind}`);
}

/** Icon of a marker kind. */
export function markerIcon(kind: string): SVGSVGElement {
  const map: Record<string, IconName> = {
    eventRaised: 'event',
    eventSent: 'send',
    suspended: 'pause',
    resumed: 'play',
    rewound: 'rewind',
    continuedAsNew: 'loop',
    terminated: 'terminate',
    completed: 'flag',
    failed: 'error',
  };
  return icon(map[kind] ?? 'info', `marker-${kind}`);
}
