/**
 * Mouse, wheel and keyboard input of the Gantt (see gantt.ts): selection and buttons on pointerdown (a
 * running instance's rows are redrawn every second, and a click whose press and release land on two
 * generations of an element never fires), drag to pan, ctrl+wheel to zoom, and the tree's keys.
 */
import { clamp } from './dom.js';
import type { GanttView } from './gantt.js';
import { HEADER_H } from './ganttHeader.js';
import { ROW_H } from './ganttRows.js';

interface Drag {
  x: number;
  y: number;
  left: number;
  top: number;
  moved: boolean;
}

export function attachInput(v: GanttView): void {
  const s = v.scroller;
  const drag: { current: Drag | null } = { current: null };
  s.addEventListener('wheel', (ev) => onWheel(v, ev), { passive: false });
  s.addEventListener('keydown', (ev) => onKey(v, ev));
  s.addEventListener('click', (ev) => onClick(v, ev));
  s.addEventListener('dblclick', (ev) => onDoubleClick(v, ev));
  s.addEventListener('pointerdown', (ev) => onPointerDown(v, ev, drag));
  s.addEventListener('pointermove', (ev) => onPointerMove(v, ev, drag));
  s.addEventListener('pointerup', () => onPointerUp(v, drag));
  s.addEventListener('pointercancel', () => onPointerUp(v, drag));
}

function onWheel(v: GanttView, ev: WheelEvent): void {
  if (!ev.ctrlKey && !ev.metaKey) return;
  ev.preventDefault();
  const delta = ev.deltaMode === 1 ? ev.deltaY * 16 : ev.deltaY;
  v.zoomBy(Math.exp(-delta * 0.0025), ev.clientX);
}

function rowOf(target: EventTarget | null): number {
  const el = (target as HTMLElement | null)?.closest?.('.row') as HTMLElement | null;
  return el ? Number(el.dataset.row) : -1;
}

/**
 * Selection and buttons act on pointerdown, not click: a running instance's rows are redrawn every second,
 * and a click whose press and release land on two generations of an element never fires.
 */
function activate(v: GanttView, target: HTMLElement): boolean {
  const open = target.closest('[data-instance-id]') as HTMLElement | null;
  if (open?.dataset.instanceId) {
    v.host.openInstance(open.dataset.instanceId);
    return true;
  }
  const marker = target.closest('.marker') as HTMLElement | null;
  if (marker?.dataset.clusterIds) {
    // A cluster of close markers: each press selects the next one.
    const ids = marker.dataset.clusterIds.split(',');
    const at = ids.indexOf(v.store.selection.markerId ?? '');
    v.store.selectMarker(ids[at >= 0 ? (at + 1) % ids.length : 0]);
    return true;
  }
  const i = rowOf(target);
  if (i < 0) return false;
  const row = v.rows[i];
  if (target.closest('[data-action="toggle"]') && row.type === 'item') {
    v.store.toggleExpanded(v.store.model.items[row.item].id);
    return true;
  }
  const bar = target.closest('.bar') as HTMLElement | null;
  v.selectRow(i, bar?.dataset.attempt !== undefined && row.type === 'item' ? Number(bar.dataset.attempt) : undefined);
  return true;
}

/** Clicks without a pointer press (keyboard or assistive technology activating a button). */
function onClick(v: GanttView, ev: MouseEvent): void {
  if (ev.detail === 0 && activate(v, ev.target as HTMLElement)) v.scroller.focus({ preventScroll: true });
}

function onDoubleClick(v: GanttView, ev: MouseEvent): void {
  const i = rowOf(ev.target);
  const row = v.rows[i];
  if (!row || row.type === 'orchestration') return;
  const item = v.store.model.items[row.item];
  const instanceId = row.type === 'attempt' ? item.attempts[row.attempt].instanceId : item.instanceId;
  if (item.kind === 'subOrchestration' && instanceId) v.host.openInstance(instanceId);
  else if (item.attempts.length > 1) v.store.toggleExpanded(item.id);
}

function onKey(v: GanttView, ev: KeyboardEvent): void {
  const current = v.selectedRow();
  const page = Math.max(1, Math.floor((v.scroller.clientHeight - HEADER_H) / ROW_H) - 1);
  const row = v.rows[current];
  const m = v.store.model;
  const go = (i: number) => v.selectRow(clamp(i, 0, v.rows.length - 1));
  const markerStep = (d: number) => {
    if (!m.markers.length) return;
    const at = m.markers.findIndex((x) => x.id === v.store.selection.markerId);
    v.store.selectMarker(m.markers[clamp(at < 0 ? 0 : at + d, 0, m.markers.length - 1)].id);
  };
  let handled = true;
  switch (ev.key) {
    case 'ArrowDown':
      go(current < 0 ? 0 : current + 1);
      break;
    case 'ArrowUp':
      go(current < 0 ? 0 : current - 1);
      break;
    case 'PageDown':
      go(current + page);
      break;
    case 'PageUp':
      go(current - page);
      break;
    case 'Home':
      go(0);
      break;
    case 'End':
      go(v.rows.length - 1);
      break;
    case 'ArrowRight':
      if (ev.shiftKey) v.scroller.scrollLeft += v.scroller.clientWidth / 4;
      else if (row?.type === 'orchestration') markerStep(1);
      else if (row?.type === 'item' && m.items[row.item].attempts.length > 1) {
        const item = m.items[row.item];
        if (!v.store.expanded.has(item.id)) v.store.toggleExpanded(item.id, true);
        else v.store.selectItem(item.id, 0);
      } else handled = false;
      break;
    case 'ArrowLeft':
      if (ev.shiftKey) v.scroller.scrollLeft -= v.scroller.clientWidth / 4;
      else if (row?.type === 'orchestration') markerStep(-1);
      else if (row?.type === 'attempt') v.store.selectItem(m.items[row.item].id);
      else if (row?.type === 'item' && v.store.expanded.has(m.items[row.item].id)) v.store.toggleExpanded(m.items[row.item].id, false);
      else handled = false;
      break;
    case 'Enter':
      if (current < 0) go(0);
      if ((ev.ctrlKey || ev.metaKey) && row && row.type !== 'orchestration') {
        const item = m.items[row.item];
        const id = row.type === 'attempt' ? item.attempts[row.attempt].instanceId : item.instanceId;
        if (item.kind === 'subOrchestration' && id) v.host.openInstance(id);
      } else v.host.openDetails();
      break;
    case '+':
    case '=':
      v.zoomBy(1.6);
      break;
    case '-':
    case '_':
      v.zoomBy(1 / 1.6);
      break;
    case '0':
      v.zoomTo(null);
      break;
    default:
      handled = false;
  }
  if (handled) ev.preventDefault();
}

function onPointerDown(v: GanttView, ev: PointerEvent, drag: { current: Drag | null }): void {
  if (ev.button !== 0) return;
  const target = ev.target as HTMLElement;
  v.pressing = true;
  const activated = activate(v, target);
  v.pressing = false;
  if (activated) {
    // Keep the keyboard focus on the tree (buttons inside it are not tab stops).
    ev.preventDefault();
    v.scroller.focus({ preventScroll: true });
  }
  if (target.closest('button, .row-label, .gantt-header')) return;
  drag.current = { x: ev.clientX, y: ev.clientY, left: v.scroller.scrollLeft, top: v.scroller.scrollTop, moved: false };
}

function onPointerMove(v: GanttView, ev: PointerEvent, drag: { current: Drag | null }): void {
  const d = drag.current;
  if (!d) return;
  const dx = ev.clientX - d.x;
  const dy = ev.clientY - d.y;
  if (!d.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
  if (!d.moved) {
    d.moved = true;
    v.scroller.setPointerCapture(ev.pointerId);
    v.scroller.classList.add('panning');
  }
  v.scroller.scrollLeft = d.left - dx;
  v.scroller.scrollTop = d.top - dy;
}

function onPointerUp(v: GanttView, drag: { current: Drag | null }): void {
  if (!drag.current) return;
  v.scroller.classList.remove('panning');
  drag.current = null;
}
