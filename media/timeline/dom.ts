/**
 * A few DOM helpers. Everything is built with createElement and textContent (never innerHTML), so that
 * payloads cannot inject markup, and styles go through the CSSOM (`el.style.x = …`), which a strict
 * `style-src` CSP allows (style attributes in markup are what it forbids).
 */

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined>;

/** `h('div.a.b', {title: 'x'}, child…)`: element with classes, attributes (null/false skip) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K | `${K}.${string}`, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name as K);
  if (classes.length) el.className = classes.join(' ');
  if (attrs) setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function setAttrs(el: Element, attrs: Attrs): void {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'style') throw new Error('use el.style (CSSOM): style attributes break the CSP');
    el.setAttribute(key, value === true ? '' : String(value));
  }
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c);
  }
}

/** Replaces all children. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}

/** Runs `fn` at most once per animation frame. */
export function frameThrottle(fn: () => void): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fn();
    });
  };
}

/** A button with an icon and/or text; `title` doubles as its accessible name. */
export function button(cls: string, label: string, title: string, icon?: SVGElement, onClick?: (ev: MouseEvent) => void): HTMLButtonElement {
  const b = h('button', { type: 'button', class: cls, title, 'aria-label': title });
  if (icon) b.append(icon);
  if (label) b.append(h('span.label', null, label));
  if (onClick) b.addEventListener('click', onClick);
  return b;
}
