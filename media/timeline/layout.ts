/**
 * Page layout: header on top, the timeline with the details pane beside it, the history table below,
 * with draggable (and keyboard-operable) splitters between them. Sizes live in CSS custom properties.
 */
import { clamp, h } from './dom.js';

export interface LayoutSizes {
  tableHeight?: number;
  detailsWidth?: number;
}

export class Layout {
  readonly el: HTMLElement;
  tableHeight: number;
  detailsWidth: number;

  constructor(header: HTMLElement, gantt: HTMLElement, details: HTMLElement, table: HTMLElement, sizes: LayoutSizes, onResize: () => void) {
    this.tableHeight = sizes.tableHeight ?? Math.round(window.innerHeight * 0.32);
    this.detailsWidth = sizes.detailsWidth ?? 380;
    const vsplit = splitter('vertical', 'Resize the details pane', (d) => {
      this.detailsWidth = clamp(this.detailsWidth - d, 220, Math.max(260, window.innerWidth - 360));
      this.apply();
    }, onResize);
    const hsplit = splitter('horizontal', 'Resize the history table', (d) => {
      this.tableHeight = clamp(this.tableHeight - d, 90, Math.max(120, window.innerHeight - 220));
      this.apply();
    }, onResize);
    const main = h('div.main', null, gantt, vsplit, details);
    this.el = h('div.app', null, header, main, hsplit, table);
    this.apply();
  }

  private apply(): void {
    this.el.style.setProperty('--table-h', `${this.tableHeight}px`);
    this.el.style.setProperty('--details-w', `${this.detailsWidth}px`);
  }
}

function splitter(direction: 'vertical' | 'horizontal', label: string, move: (delta: number) => void, done: () => void): HTMLElement {
  const el = h('div', { class: `splitter ${direction}`, role: 'separator', tabindex: 0, 'aria-label': label, 'aria-orientation': direction });
  let last: number | null = null;
  el.addEventListener('pointerdown', (ev) => {
    last = direction === 'vertical' ? ev.clientX : ev.clientY;
    el.setPointerCapture(ev.pointerId);
    el.classList.add('active');
  });
  el.addEventListener('pointermove', (ev) => {
    if (last === null) return;
    const pos = direction === 'vertical' ? ev.clientX : ev.clientY;
    move(pos - last);
    last = pos;
  });
  const end = () => {
    if (last === null) return;
    last = null;
    el.classList.remove('active');
    done();
  };
  el.addEventListener('pointerup', end);
  el.addEventListener('pointercancel', end);
  el.addEventListener('keydown', (ev) => {
    const step = ev.shiftKey ? 60 : 15;
    const keys: Record<string, number> = direction === 'vertical' ? { ArrowLeft: -step, ArrowRight: step } : { ArrowUp: -step, ArrowDown: step };
    if (keys[ev.key] !== undefined) {
      move(keys[ev.key]);
      done();
      ev.preventDefault();
    }
  });
  return el;
}
