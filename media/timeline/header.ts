/**
 * The header: name, status, instance id, parent, times, duration, executions, the instance's input /
 * output / custom status / failure, the action buttons (the same commands as the Instances tree) and banners.
 */
import { button, h } from './dom.js';
import { errorText, errorWithStack, formatDateTime, formatDuration, plural, prettyValue } from './format.js';
import { icon, outcomeIcon } from './icons.js';
import type { IconName } from './icons.js';
import { statusOutcome } from './ganttRows.js';
import type { InstanceCommand, RuntimeStatus } from '../../emulator/protocol/timelineWebview.js';
import type { Store } from './store.js';

export interface HeaderHost {
  command(name: InstanceCommand): void;
  exportHistory(): void;
  copy(text: string, what: string): void;
  openParent(instanceId: string): void;
  back(): void;
  /** Show another execution of the instance (continue-as-new keeps them). */
  showExecution(executionId: string): void;
  canGoBack(): boolean;
}

const ACTIONS: Array<{ name: InstanceCommand; label: string; icon: IconName; when: RuntimeStatus[] | 'always' }> = [
  { name: 'raiseEvent', label: 'Raise Event', icon: 'event', when: ['Running', 'Pending', 'Suspended'] },
  { name: 'suspend', label: 'Suspend', icon: 'pause', when: ['Running', 'Pending'] },
  { name: 'resume', label: 'Resume', icon: 'play', when: ['Suspended'] },
  { name: 'terminate', label: 'Terminate', icon: 'terminate', when: ['Running', 'Pending', 'Suspended'] },
  { name: 'rewind', label: 'Rewind', icon: 'rewind', when: ['Failed'] },
  { name: 'restart', label: 'Restart', icon: 'restart', when: 'always' },
  { name: 'purge', label: 'Purge', icon: 'trash', when: ['Completed', 'Failed', 'Terminated'] },
];

export class HeaderView {
  readonly el: HTMLElement;
  private readonly buttons = new Map<InstanceCommand, HTMLButtonElement>();
  private readonly exportButton: HTMLButtonElement;
  private readonly title = h('div.title-row');
  private readonly meta = h('div.meta-row');
  private readonly payloads = h('div.payloads');
  private readonly banners = h('div.banners', { role: 'status' });
  private openPayloads = new Set<string>(['Failure']);

  constructor(
    private readonly store: Store,
    private readonly host: HeaderHost,
  ) {
    const actions = h('div.actions', { role: 'toolbar', 'aria-label': 'Instance actions' });
    for (const a of ACTIONS) {
      const b = button(`action action-${a.name}`, a.label, `${a.label}`, icon(a.icon), () => this.host.command(a.name));
      b.dataset.command = a.name;
      this.buttons.set(a.name, b);
      actions.append(b);
    }
    this.exportButton = button('action action-export', 'Export', 'Export the history as JSON', icon('save'), () => this.host.exportHistory());
    actions.append(h('span.separator'), this.exportButton);
    this.el = h('header.instance-header', null, h('div.header-top', null, this.title, actions), this.meta, this.payloads, this.banners);
    store.on((kind) => {
      if (kind === 'instance' || kind === 'model' || kind === 'loading') this.render();
    });
  }

  render(): void {
    const inst = this.store.instance;
    const m = this.store.model;
    if (!inst) {
      // Before the first init (e.g. a tab restored while the emulator is stopped): no actions to offer yet.
      this.title.replaceChildren(h('h1', null, this.store.connected ? 'Loading…' : 'Waiting for the emulator…'));
      for (const b of this.buttons.values()) b.hidden = true;
      this.exportButton.hidden = true;
      const banners: Node[] = [];
      if (this.store.gone) banners.push(banner('warning', this.store.gone));
      if (!this.store.connected) banners.push(banner('warning', 'The emulator is not running. Start it to see this instance.'));
      this.banners.replaceChildren(...banners);
      return;
    }
    this.exportButton.hidden = false;
    const status = this.store.viewingCurrentExecution ? inst.runtimeStatus : m.status;
    const outcome = statusOutcome(status);
    const titleNodes: Node[] = [];
    if (this.host.canGoBack()) titleNodes.push(button('icon-button back', '', 'Back to the previous instance', icon('back'), () => this.host.back()));
    titleNodes.push(
      outcomeIcon(outcome === 'completed' ? 'completed' : outcome === 'failed' || outcome === 'terminated' ? 'failed' : 'pending'),
      h('h1', { title: inst.name }, inst.name),
      h('span', { class: `badge status s-${status}`, 'data-status': status }, status),
      h('code.instance-id', { title: 'Instance id' }, inst.instanceId),
      button('icon-button copy-id', '', 'Copy instance id', icon('copy'), () => this.host.copy(inst.instanceId, 'instance id')),
    );
    if (inst.parentInstanceId) {
      const parent = inst.parentInstanceId;
      titleNodes.push(button('link-button parent-link', `Parent: ${parent}`, `Open the parent orchestration ${parent}`, icon('up'), () => this.host.openParent(parent)));
    }
    this.title.replaceChildren(...titleNodes);

    const created = Date.parse(inst.createdTime);
    const end = inst.completedTime ? Date.parse(inst.completedTime) : null;
    const meta: Node[] = [
      item('Created', formatDateTime(created)),
      item(end !== null ? 'Completed' : 'Updated', formatDateTime(end ?? Date.parse(inst.lastUpdatedTime))),
      item('Duration', end !== null ? formatDuration(end - created) : `${formatDuration(this.store.now() - created)} so far`),
      item('Events', this.store.loading ? `${this.store.events.length.toLocaleString('en-US')} of ${this.store.total.toLocaleString('en-US')}` : this.store.total.toLocaleString('en-US')),
      item('Bars', m.items.length.toLocaleString('en-US')),
    ];
    if (inst.executions.length > 1) {
      const select = h('select.execution', { 'aria-label': 'Execution (continue-as-new)' });
      inst.executions.forEach((x, i) => {
        const label = `${i + 1} of ${inst.executions.length}${x.executionId === inst.executionId ? ' (current)' : ''} · ${plural(x.eventCount, 'event')}`;
        const opt = h('option', { value: x.executionId }, label);
        if (x.executionId === this.store.executionId) opt.selected = true;
        select.append(opt);
      });
      select.addEventListener('change', () => this.host.showExecution(select.value));
      meta.push(h('span.meta-item', null, h('span.meta-key', null, 'Execution'), select));
    }
    if (inst.waitingForEvents.length) meta.push(item('Waiting for', inst.waitingForEvents.join(', '), 'waiting'));
    this.meta.replaceChildren(...meta);

    const payloads: Node[] = [this.payload('Input', inst.input)];
    if (inst.output !== null && inst.output !== undefined && !inst.failure) payloads.push(this.payload('Output', inst.output));
    if (inst.customStatus !== null && inst.customStatus !== undefined) payloads.push(this.payload('Custom status', inst.customStatus));
    if (inst.failure) {
      const f = inst.failure;
      payloads.push(this.payload('Failure', errorWithStack(f.type, f.message, f.stack), true, errorText(f.type, f.message)));
    }
    this.payloads.replaceChildren(...payloads);

    const enabled = !this.store.readOnly && this.store.connected && !this.store.gone;
    for (const a of ACTIONS) {
      const b = this.buttons.get(a.name)!;
      const applicable = a.when === 'always' || a.when.includes(inst.runtimeStatus);
      b.disabled = !enabled || !applicable;
      b.hidden = !applicable;
    }
    this.exportButton.disabled = !this.store.events.length;

    const banners: Node[] = [];
    if (this.store.gone) banners.push(banner('warning', this.store.gone));
    if (!this.store.connected) banners.push(banner('warning', 'The emulator is not running: this is the last history received. Actions are disabled.'));
    if (!this.store.viewingCurrentExecution) {
      banners.push(banner('info', 'Showing an older execution (before continue-as-new).', button('link-button', 'Show the current one', 'Show the current execution', undefined, () => this.host.showExecution(inst.executionId))));
    }
    if (this.store.loading) banners.push(banner('info', `Loading history: ${this.store.events.length.toLocaleString('en-US')} of ${this.store.total.toLocaleString('en-US')} events…`));
    this.banners.replaceChildren(...banners);
  }

  private payload(title: string, value: unknown, failure = false, summary?: string): HTMLElement {
    const text = typeof value === 'string' && failure ? value : prettyValue(value);
    const oneLine = (summary ?? (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value))) ?? '';
    const details = h('details', { class: `payload-card${failure ? ' failure' : ''}`, 'data-payload': title.toLowerCase() });
    if (this.openPayloads.has(title)) details.open = true;
    details.addEventListener('toggle', () => {
      if (details.open) this.openPayloads.add(title);
      else this.openPayloads.delete(title);
    });
    const copy = button('icon-button copy', '', `Copy ${title.toLowerCase()}`, icon('copy'), (ev) => {
      ev.preventDefault();
      this.host.copy(text, title.toLowerCase());
    });
    details.append(
      h('summary', null, h('span.payload-title', null, title), h('span.payload-preview', null, oneLine.length > 160 ? `${oneLine.slice(0, 159)}…` : oneLine || '(none)'), copy),
      h('pre.code', { tabindex: 0 }, text || '(none)'),
    );
    return details;
  }
}

function item(key: string, value: string, cls = ''): HTMLElement {
  return h('span', { class: `meta-item ${cls}` }, h('span.meta-key', null, key), h('span.meta-value', null, value));
}

function banner(kind: 'info' | 'warning', text: string, action?: HTMLElement): HTMLElement {
  return h('div', { class: `banner ${kind}` }, icon(kind), h('span', null, text), action ?? null);
}
