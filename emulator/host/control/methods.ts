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
}

/** The instance as it is now: its first turn may have run while the start was made durable. */
const current = (store: Store, row: InstanceRow) => store.getInstance(row.instanceId) ?? row;

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
    const events = store.getHistoryRange(p.instanceId, executionId, from, limit);
    return { executionId, from, events, total: store.historyLength(p.instanceId, executionId) };
  },

  'instances.start': async (ctx, p) => {
    const row = await ctx.control.start(p.name, { instanceId: p.instanceId, input: jsonText(p.input) });
    return summaryOf(current(ctx.store, row));
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
    return summaryOf(current(ctx.store, row));
  },

  'instances.purge': async (ctx, p) => {
    const deleted = await ctx.control.purge(p.instanceId);
    return { deleted };
  },

  'instances.purgeWhere': async (ctx, p) => {
    const deleted = await ctx.control.purgeWhere(toQuery(p.filter));
    return { deleted };
  },

  'instances.waitingEvents': ({ store, control }, p) => {
    const row = control.get(p.instanceId);
    return { eventNames: waitingFor(row, store) };
  },
};


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
