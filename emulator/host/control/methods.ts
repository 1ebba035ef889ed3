/** The control protocol's request methods (all but subscribe/unsubscribe, which belong to a connection). */
import type { RuntimeStatus } from '../../protocol/durable';
import type { EmulatorStatus, ErrorCode, Method, Params, Result } from '../../protocol/control';
import { ControlError, InstanceControl } from '../runtime/instanceControl';
import type { WorkerProcess } from '../runtime/workerProcess';
import type { InstanceRow, Store } from '../storage/store';
import { detailOf, summaryOf, waitingFor } from './summaries';
import {
  DEFAULT_HISTORY_LIMIT,
  DEFAULT_PAGE_SIZE,
  MAX_HISTORY_LIMIT,
  ParamError,
  RUNTIME_STATUSES,
  toQuery,
} from './validate';

export interface MethodContext {
  store: Store;
  control: InstanceControl;
  worker: WorkerProcess;
  status(): EmulatorStatus;
  /**
   * An instance this layer started: its row is pushed at once (the service reports only later changes).
   * Returns the instance as it is now: its first turn may have run while the start was made durable.
   */
  started(row: InstanceRow): InstanceRow;
  /** Instances this layer purged (the service does not report purges). */
  purged(ids: string[]): void;
}

type ServerMethod = Exclude<Method, 'subscribe' | 'unsubscribe'>;
type Handlers = { [M in ServerMethod]: (ctx: MethodContext, params: Params<M>) => Promise<Result<M>> | Result<M> };

/** JSON text of a value given in a request; `undefined` means none. */
function jsonText(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export const HANDLERS: Handlers = {
  status: (ctx) => ctx.status(),

  'functions.list': (ctx) => ctx.worker.functions,

  'instances.list': ({ store }, p) => {
    const query = toQuery(p.filter ?? {});
    let page;
    try {
      page = store.queryInstances({
        ...query,
        orderBy: p.orderBy,
        descending: p.descending,
        top: p.pageSize ?? DEFAULT_PAGE_SIZE,
        continuationToken: p.continuationToken,
      });
    } catch (error) {
      if (p.continuationToken) throw new ParamError(`continuationToken: ${(error as Error).message}`);
      throw error;
    }
    return {
      instances: page.instances.map(summaryOf),
      continuationToken: page.continuationToken,
      total: store.countInstances(query),
    };
  },

  'instances.get': ({ store, control }, p) => detailOf(control.get(p.instanceId), store),

  'instances.history': ({ store, control }, p) => {
    const row = control.get(p.instanceId);
    const executionId = p.executionId ?? row.executionId;
    if (p.executionId && !store.listExecutions(p.instanceId).some((e) => e.executionId === p.executionId)) {
      throw new ControlError(404, `The instance '${p.instanceId}' has no execution '${p.executionId}'.`);
    }
    const from = p.from ?? 0;
    const limit = Math.min(p.limit ?? DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT);
    // The store reads an execution's history whole; a ranged read would make deep pages cheaper.
    const events = store.getHistory(p.instanceId, executionId);
    return { executionId, from, events: events.slice(from, from + limit), total: events.length };
  },

  'instances.start': async (ctx, p) => {
    const row = await ctx.control.start(p.name, { instanceId: p.instanceId, input: jsonText(p.input) });
    return summaryOf(ctx.started(row));
  },

  'instances.raiseEvent': async ({ control }, p) => {
    await control.raiseEvent(p.instanceId, p.eventName, jsonText(p.data));
    return { ok: true };
  },

  'instances.terminate': async ({ control }, p) => {
    await control.terminate(p.instanceId, p.reason ?? null);
    return { ok: true };
  },

  'instances.suspend': async ({ control }, p) => {
    await control.suspend(p.instanceId, p.reason ?? null);
    return { ok: true };
  },

  'instances.resume': async ({ control }, p) => {
    await control.resume(p.instanceId, p.reason ?? null);
    return { ok: true };
  },

  'instances.rewind': async ({ control }, p) => {
    await control.rewind(p.instanceId, p.reason ?? null);
    return { ok: true };
  },

  'instances.restart': async (ctx, p) => {
    const row = await ctx.control.restart(p.instanceId, p.newInstanceId ?? true);
    return summaryOf(ctx.started(row));
  },

  'instances.purge': async (ctx, p) => {
    const deleted = await ctx.control.purge(p.instanceId);
    if (deleted) ctx.purged([p.instanceId]);
    return { deleted };
  },

  'instances.purgeWhere': async (ctx, p) => {
    const query = toQuery(p.filter);
    // The same selection InstanceControl.purgeWhere makes, read in the same synchronous run (nothing can
    // change in between), so that the removals can be pushed: the store does not report purges.
    const statuses = (query.runtimeStatus?.length ? query.runtimeStatus : TERMINAL).filter((s) => TERMINAL.includes(s));
    const ids = statuses.length
      ? ctx.store.queryInstances({ ...query, runtimeStatus: statuses, top: 0 }).instances.map((r) => r.instanceId)
      : [];
    const deleted = await ctx.control.purgeWhere(query);
    ctx.purged(ids);
    return { deleted };
  },

  'instances.waitingEvents': ({ store, control }, p) => {
    const row = control.get(p.instanceId);
    return { eventNames: waitingFor(row, store.getHistory(row.instanceId, row.executionId)) };
  },
};

const TERMINAL: RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

/** Instance counts per runtime status (every status, zeros included). */
export function countsByStatus(store: Store): Partial<Record<RuntimeStatus, number>> {
  const counts: Partial<Record<RuntimeStatus, number>> = {};
  for (const status of RUNTIME_STATUSES) counts[status] = store.countInstances({ runtimeStatus: [status] });
  return counts;
}

/** The protocol's error code for a refused operation's HTTP-like status. */
export function codeOfStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'invalidParams';
    case 404:
      return 'notFound';
    case 409:
      return 'conflict';
    case 410:
      return 'gone';
    case 412:
      return 'preconditionFailed';
    case 503:
      return 'unavailable';
    default:
      return 'internal';
  }
}
