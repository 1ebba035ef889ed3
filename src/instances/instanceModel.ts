/**
 * What the Instances view shows: groups (by runtime status or by orchestrator), each loaded page by
 * page on demand and kept up to date by the host's `instances` pushes. A push only touches the groups
 * and items it concerns, so the view never reloads as a whole; group totals drift-correct with a
 * throttled recount instead of a refetch.
 */
import * as vscode from 'vscode';
import type { InstanceFilter, InstanceSummary, Method, Params, Result } from '../../emulator/protocol/control';
import type { RuntimeStatus } from '../../emulator/protocol/durable';

export type GroupBy = 'status' | 'orchestrator';

/** The user's filter of the view (the group adds its own status or name). */
export interface ViewFilter {
  statuses?: RuntimeStatus[];
  name?: string;
  idPrefix?: string;
}

export const STATUS_ORDER: RuntimeStatus[] = ['Running', 'Pending', 'Suspended', 'Failed', 'Completed', 'Terminated', 'ContinuedAsNew'];
export const PAGE_SIZE = 50;
/** New arrivals beyond this many above what the user paged in are trimmed off a group's tail. */
const GROWTH_SLACK = 200;
const RECOUNT_DELAY_MS = 150;
const RECOUNT_MIN_INTERVAL_MS = 1000;

type Request = <M extends Method>(method: M, params: Params<M>) => Promise<Result<M>>;

/** Where the next page starts: the host's token, under an optional `createdTo` bound (after a trim). */
interface Cursor {
  token?: string;
  createdTo?: string;
}

export class GroupNode {
  readonly kind = 'group';
  total = 0;
  items: InstanceNode[] | undefined;
  cursor: Cursor | null = {};
  /** How many items the user has paged in; arrivals may push it up to GROWTH_SLACK more. */
  wanted = PAGE_SIZE;
  loading: Promise<void> | undefined;
  error: string | undefined;
  readonly more = new LoadMoreNode(this);
  constructor(
    readonly key: string,
    readonly by: GroupBy,
  ) {}
}

export class InstanceNode {
  readonly kind = 'instance';
  constructor(
    public group: GroupNode,
    public summary: InstanceSummary,
  ) {}
}

export class LoadMoreNode {
  readonly kind = 'more';
  constructor(readonly group: GroupNode) {}
}

export type InstanceTreeNode = GroupNode | InstanceNode | LoadMoreNode;

/** Newest first; ties by id so that insertion places an item where the host would. */
function compare(a: InstanceSummary, b: InstanceSummary): number {
  if (a.createdTime !== b.createdTime) return a.createdTime > b.createdTime ? -1 : 1;
  return a.instanceId === b.instanceId ? 0 : a.instanceId > b.instanceId ? -1 : 1;
}

export class InstanceModel implements vscode.Disposable {
  private groups = new Map<string, GroupNode>();
  private rootList: GroupNode[] | undefined;
  private rootLoading: Promise<GroupNode[]> | undefined;
  private readonly index = new Map<string, InstanceNode>();
  private recountTimer: NodeJS.Timeout | undefined;
  private lastRecount = 0;
  /** Pushes applied so far: a recount answered after newer pushes may be stale and is done again. */
  private pushesApplied = 0;
  private generation = 0;
  private readonly changeEmitter = new vscode.EventEmitter<InstanceTreeNode | InstanceTreeNode[] | undefined>();
  /** Fires the nodes whose display changed; undefined means the list of groups changed. */
  readonly onDidChange = this.changeEmitter.event;

  groupBy: GroupBy = 'status';
  filter: ViewFilter = {};

  constructor(
    private readonly request: Request,
    private readonly isConnected: () => boolean,
    private readonly orchestratorNames: () => string[],
  ) {}

  dispose(): void {
    clearTimeout(this.recountTimer);
    this.changeEmitter.dispose();
  }

  /** Forgets everything (new connection, new grouping or filter, Refresh) and redraws from the top. */
  reset(): void {
    this.generation++;
    this.groups = new Map();
    this.index.clear();
    this.rootList = undefined;
    this.rootLoading = undefined;
    this.changeEmitter.fire(undefined);
  }

  setGroupBy(by: GroupBy): void {
    this.groupBy = by;
    this.reset();
  }

  setFilter(filter: ViewFilter): void {
    this.filter = filter;
    this.reset();
  }

  /** The groups with instances, in display order. */
  roots(): Promise<GroupNode[]> {
    if (!this.isConnected()) return Promise.resolve([]);
    if (this.rootList) return Promise.resolve(this.rootList);
    const generation = this.generation;
    this.rootLoading ??= this.loadTotals(this.candidateKeys()).then(
      (totals) => {
        if (generation !== this.generation) return [];
        for (const [key, total] of totals) this.group(key).total = total;
        this.rootList = this.visibleGroups();
        return this.rootList;
      },
      () => {
        // Lost the connection meanwhile: the state change resets the view; else the next redraw retries.
        this.rootLoading = undefined;
        return [];
      },
    );
    return this.rootLoading;
  }

  async children(group: GroupNode): Promise<Array<InstanceNode | LoadMoreNode>> {
    if (!group.items) {
      group.loading ??= this.loadPage(group).finally(() => (group.loading = undefined));
      await group.loading;
    }
    const items: Array<InstanceNode | LoadMoreNode> = [...(group.items ?? [])];
    if (group.cursor && group.items) items.push(group.more);
    return items;
  }

  /** Appends the next page of a group (the "Load more" row). */
  async loadMore(group: GroupNode): Promise<void> {
    if (!group.cursor || group.loading) return group.loading;
    group.wanted = (group.items?.length ?? 0) + PAGE_SIZE;
    group.loading = this.loadPage(group).finally(() => (group.loading = undefined));
    await group.loading;
    this.changeEmitter.fire(group);
  }

  /** All loaded instance nodes (tests, pickers). */
  loadedInstances(): InstanceNode[] {
    return [...this.index.values()];
  }

  find(instanceId: string): InstanceNode | undefined {
    return this.index.get(instanceId);
  }

  /** Applies a coalesced `instances` push; fires only what changed. */
  applyPush(changed: InstanceSummary[], removed: string[]): void {
    if (!this.rootList) return; // Nothing drawn yet: the first getChildren reads fresh state anyway.
    this.pushesApplied++;
    const dirty = new Set<InstanceTreeNode>();
    // Totals moved here are guesses: a recount's answer can overtake the push of a change it already
    // counts (pushes wait for the host's flush), and unloaded instances are counted nowhere we can see.
    // Any push that moves a total therefore ends in a recount, once the pushes stop.
    let recount = removed.length > 0;
    for (const id of removed) {
      const node = this.index.get(id);
      if (node) this.detach(node, dirty);
    }
    for (const summary of changed) {
      const node = this.index.get(summary.instanceId);
      if (!this.matches(summary)) {
        if (node) this.detach(node, dirty);
        recount = true;
        continue;
      }
      const group = this.group(this.keyOf(summary));
      if (node && node.group === group) {
        node.summary = summary;
        dirty.add(node);
        continue;
      }
      recount = true;
      if (node) {
        this.detach(node, dirty);
        group.total++;
      } else {
        // New, or an instance we never paged in (already counted somewhere): the recount settles the
        // totals; an empty group cannot hold it already, so it shows at once.
        if (group.total === 0) {
          group.total = 1;
          // An empty group holds just this one: no list request (whose answer could already be stale).
          if (!group.items) {
            group.items = [];
            group.cursor = null;
          }
        }
      }
      dirty.add(group);
      this.insert(group, summary);
    }
    const visible = this.visibleGroups();
    if (visible.length !== this.rootList.length || visible.some((g, i) => g !== this.rootList![i])) {
      this.rootList = visible;
      this.changeEmitter.fire(undefined);
    } else if (dirty.size) {
      // An item inside a dirty group is redrawn with the group.
      const nodes = [...dirty].filter((n) => !(n.kind === 'instance' && dirty.has(n.group)));
      this.changeEmitter.fire(nodes);
    }
    if (recount) this.scheduleRecount();
  }

  private detach(node: InstanceNode, dirty: Set<InstanceTreeNode>): void {
    const group = node.group;
    const at = group.items?.indexOf(node) ?? -1;
    if (at >= 0) group.items!.splice(at, 1);
    this.index.delete(node.summary.instanceId);
    group.total = Math.max(0, group.total - 1);
    dirty.add(group);
  }

  /** Inserts into a loaded group when the item falls inside the loaded window; beyond it, paging finds it. */
  private insert(group: GroupNode, summary: InstanceSummary): void {
    const items = group.items;
    if (!items) return;
    const last = items[items.length - 1];
    if (group.cursor && last && compare(summary, last.summary) > 0) return;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(items[mid].summary, summary) < 0) lo = mid + 1;
      else hi = mid;
    }
    const node = new InstanceNode(group, summary);
    items.splice(lo, 0, node);
    this.index.set(summary.instanceId, node);
    // A busy app would grow an open group without bound: trim the tail and page on by creation time.
    if (items.length > group.wanted + GROWTH_SLACK) {
      for (const dropped of items.splice(group.wanted)) this.index.delete(dropped.summary.instanceId);
      group.cursor = { createdTo: items[items.length - 1].summary.createdTime };
    }
  }

  private async loadPage(group: GroupNode): Promise<void> {
    const cursor = group.cursor;
    if (!cursor) return;
    const generation = this.generation;
    const filter = this.filterFor(group.key);
    if (cursor.createdTo) filter.createdTo = cursor.createdTo;
    try {
      const page = await this.request('instances.list', {
        filter,
        orderBy: 'createdTime',
        descending: true,
        pageSize: PAGE_SIZE,
        continuationToken: cursor.token,
      });
      if (generation !== this.generation) return;
      group.error = undefined;
      const items = group.items ?? [];
      for (const summary of page.instances) {
        if (this.index.has(summary.instanceId)) continue; // Arrived by push meanwhile, or a shifted page.
        const node = new InstanceNode(group, summary);
        items.push(node);
        this.index.set(summary.instanceId, node);
      }
      group.items = items;
      group.cursor = page.continuationToken ? { token: page.continuationToken, createdTo: cursor.createdTo } : null;
      if (!cursor.token && !cursor.createdTo) group.total = page.total;
    } catch (error) {
      group.items ??= [];
      group.error = (error as Error).message;
    }
  }

  private scheduleRecount(): void {
    if (this.recountTimer) return;
    const delay = Math.max(RECOUNT_DELAY_MS, this.lastRecount + RECOUNT_MIN_INTERVAL_MS - Date.now());
    this.recountTimer = setTimeout(() => {
      this.recountTimer = undefined;
      this.lastRecount = Date.now();
      void this.recount();
    }, delay);
  }

  /** Corrects group totals after pushes about instances we had not loaded. */
  private async recount(): Promise<void> {
    if (!this.rootList || !this.isConnected()) return;
    const generation = this.generation;
    const pushes = this.pushesApplied;
    let totals: Map<string, number>;
    try {
      totals = await this.loadTotals([...this.groups.keys()]);
    } catch {
      // Lost the connection: the state change resets the view. Anything else: try again later.
      if (generation === this.generation && this.isConnected()) this.scheduleRecount();
      return;
    }
    if (generation !== this.generation) return;
    // Pushes applied while the counts were read may already be in them or not: count again after.
    if (pushes !== this.pushesApplied) this.scheduleRecount();
    const changed: GroupNode[] = [];
    for (const [key, total] of totals) {
      const group = this.group(key);
      if (group.total !== total) {
        group.total = total;
        changed.push(group);
        // Fully loaded yet short of the count (we guessed a group empty): load it again when shown.
        if (group.items && !group.cursor && group.items.length < total) {
          for (const node of group.items) this.index.delete(node.summary.instanceId);
          group.items = undefined;
          group.cursor = {};
        }
      }
    }
    const visible = this.visibleGroups();
    if (visible.length !== this.rootList.length || visible.some((g, i) => g !== this.rootList![i])) {
      this.rootList = visible;
      this.changeEmitter.fire(undefined);
    } else if (changed.length) {
      this.changeEmitter.fire(changed);
    }
  }

  private candidateKeys(): string[] {
    if (this.groupBy === 'status') return this.filter.statuses?.length ? STATUS_ORDER.filter((s) => this.filter.statuses!.includes(s)) : STATUS_ORDER;
    const names = new Set(this.orchestratorNames());
    for (const key of this.groups.keys()) names.add(key);
    return [...names].filter((n) => !this.filter.name || n === this.filter.name);
  }

  /** Group totals: one `status` call when the counts per status are all we need, else one count per group. */
  private async loadTotals(keys: string[]): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    if (this.groupBy === 'status' && !this.filter.name && !this.filter.idPrefix) {
      const status = await this.request('status', {});
      for (const key of keys) totals.set(key, status.counts[key as RuntimeStatus] ?? 0);
      return totals;
    }
    const pages = await Promise.all(keys.map((key) => this.request('instances.list', { filter: this.filterFor(key), pageSize: 1 })));
    keys.forEach((key, i) => totals.set(key, pages[i].total));
    return totals;
  }

  private visibleGroups(): GroupNode[] {
    const groups = [...this.groups.values()].filter((g) => g.total > 0 || (g.items?.length ?? 0) > 0);
    if (this.groupBy === 'status') return groups.sort((a, b) => STATUS_ORDER.indexOf(a.key as RuntimeStatus) - STATUS_ORDER.indexOf(b.key as RuntimeStatus));
    return groups.sort((a, b) => a.key.localeCompare(b.key));
  }

  private group(key: string): GroupNode {
    let group = this.groups.get(key);
    if (!group) {
      group = new GroupNode(key, this.groupBy);
      this.groups.set(key, group);
    }
    return group;
  }

  private keyOf(summary: InstanceSummary): string {
    return this.groupBy === 'status' ? summary.runtimeStatus : summary.name;
  }

  private matches(s: InstanceSummary): boolean {
    const f = this.filter;
    if (f.statuses?.length && !f.statuses.includes(s.runtimeStatus)) return false;
    if (f.name && s.name !== f.name) return false;
    return !f.idPrefix || s.instanceId.startsWith(f.idPrefix);
  }

  private filterFor(key: string): InstanceFilter {
    const f = this.filter;
    const filter: InstanceFilter = {};
    if (f.idPrefix) filter.instanceIdPrefix = f.idPrefix;
    if (this.groupBy === 'status') {
      filter.runtimeStatus = [key as RuntimeStatus];
      if (f.name) filter.name = f.name;
    } else {
      filter.name = key;
      if (f.statuses?.length) filter.runtimeStatus = f.statuses;
    }
    return filter;
  }
}
