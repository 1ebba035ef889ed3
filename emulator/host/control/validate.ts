/**
 * Checks of what a client sends: the request envelope, then each method's params. Unknown fields are
 * ignored (a newer client may send optional fields an older host does not know); wrong types are not.
 */
import type { RuntimeStatus } from '../../protocol/durable';
import type { InstanceFilter, InstanceOrder, Method, Params, Topic } from '../../protocol/control';
import type { InstanceQuery } from '../storage/store';

/** A request whose params do not have the method's shape: answered with `invalidParams`. */
export class ParamError extends Error {}

/** A message that is not a request at all: answered with `badMessage`. */
export class EnvelopeError extends Error {
  constructor(
    message: string,
    /** The request id, when the message had a usable one. */
    readonly id: number | null = null,
  ) {
    super(message);
  }
}

export const RUNTIME_STATUSES: readonly RuntimeStatus[] = ['Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Terminated', 'Suspended'];
export const TOPICS: readonly Topic[] = ['instances', 'history', 'logs', 'worker'];
const ORDERS: readonly InstanceOrder[] = ['createdTime', 'lastUpdatedTime', 'instanceId', 'name'];

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_HISTORY_LIMIT = 500;
export const MAX_HISTORY_LIMIT = 5000;
/** Instances one connection may watch the history of at once. */
export const MAX_WATCHED_INSTANCES = 1000;

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}

/** The request envelope: `{type: "request", id: number, method: string, params?: object}`. */
export function parseEnvelope(value: unknown): { id: number; method: string; params: Obj } {
  if (!isObject(value)) throw new EnvelopeError(`A message must be a JSON object, not ${describe(value)}.`);
  const id = value.id;
  const validId = typeof id === 'number' && Number.isSafeInteger(id) ? id : null;
  if (validId === null) throw new EnvelopeError(id === undefined ? 'The request has no id.' : `The request id must be an integer, not ${describe(id)}.`);
  if (value.type !== 'request') throw new EnvelopeError(`The message type must be "request", not ${describe(value.type)}.`, validId);
  if (typeof value.method !== 'string' || !value.method) throw new EnvelopeError('The request has no method.', validId);
  const params = value.params ?? {};
  if (!isObject(params)) throw new EnvelopeError(`params must be an object, not ${describe(params)}.`, validId);
  return { id: validId, method: value.method, params };
}

function str(p: Obj, key: string, required: true): string;
function str(p: Obj, key: string, required?: false): string | undefined;
function str(p: Obj, key: string, required = false): string | undefined {
  const v = p[key];
  if (v === undefined || (v === null && !required)) {
    if (required) throw new ParamError(`${key} is required.`);
    return undefined;
  }
  if (typeof v !== 'string') throw new ParamError(`${key} must be a string, not ${describe(v)}.`);
  if (required && !v) throw new ParamError(`${key} must not be empty.`);
  return v;
}

function bool(p: Obj, key: string): boolean | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new ParamError(`${key} must be true or false, not ${describe(v)}.`);
  return v;
}

function int(p: Obj, key: string, min: number, max: number): number | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ParamError(`${key} must be a whole number from ${min} to ${max}, not ${describe(v)}.`);
  }
  return v;
}

function strings(p: Obj, key: string): string[] | undefined {
  const v = p[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new ParamError(`${key} must be an array of strings.`);
  return v as string[];
}

function time(p: Obj, key: string): string | undefined {
  const v = str(p, key);
  if (v === undefined) return undefined;
  if (Number.isNaN(Date.parse(v))) throw new ParamError(`${key} must be an ISO date and time, not '${v}'.`);
  return v;
}

function oneOf<T extends string>(p: Obj, key: string, allowed: readonly T[]): T | undefined {
  const v = str(p, key);
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new ParamError(`${key} must be one of ${allowed.join(', ')}, not '${v}'.`);
  return v as T;
}

export function parseFilter(value: unknown, key = 'filter'): InstanceFilter {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new ParamError(`${key} must be an object, not ${describe(value)}.`);
  const statuses = strings(value, 'runtimeStatus');
  for (const s of statuses ?? []) {
    if (!RUNTIME_STATUSES.includes(s as RuntimeStatus)) throw new ParamError(`Unknown runtimeStatus '${s}'. Use one of ${RUNTIME_STATUSES.join(', ')}.`);
  }
  const filter: InstanceFilter = {};
  if (statuses) filter.runtimeStatus = statuses as RuntimeStatus[];
  const name = str(value, 'name');
  if (name !== undefined) filter.name = name;
  const prefix = str(value, 'instanceIdPrefix');
  if (prefix !== undefined) filter.instanceIdPrefix = prefix;
  const from = time(value, 'createdFrom');
  if (from !== undefined) filter.createdFrom = from;
  const to = time(value, 'createdTo');
  if (to !== undefined) filter.createdTo = to;
  return filter;
}

/** The protocol's filter as a store query. */
export function toQuery(filter: InstanceFilter): InstanceQuery {
  return {
    runtimeStatus: filter.runtimeStatus?.length ? filter.runtimeStatus : undefined,
    name: filter.name,
    instanceIdPrefix: filter.instanceIdPrefix || undefined,
    createdTimeFrom: filter.createdFrom === undefined ? undefined : Date.parse(filter.createdFrom),
    createdTimeTo: filter.createdTo === undefined ? undefined : Date.parse(filter.createdTo),
  };
}

function topics(p: Obj, required: boolean): Topic[] | undefined {
  const list = strings(p, 'topics');
  if (!list) {
    if (required) throw new ParamError('topics is required (an array of instances, history, logs, worker).');
    return undefined;
  }
  for (const t of list) if (!TOPICS.includes(t as Topic)) throw new ParamError(`Unknown topic '${t}'. Use one of ${TOPICS.join(', ')}.`);
  return list as Topic[];
}

function instanceIds(p: Obj): string[] | undefined {
  const ids = strings(p, 'instanceIds');
  if (ids && ids.length > MAX_WATCHED_INSTANCES) throw new ParamError(`At most ${MAX_WATCHED_INSTANCES} instanceIds at once.`);
  return ids;
}

/** Drops undefined fields, so that handlers see only what was given. */
function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as Array<keyof T>) if (value[key] === undefined) delete value[key];
  return value;
}

type Validators = { [M in Method]: (p: Obj) => Params<M> };

const VALIDATORS: Validators = {
  status: () => ({}),
  'functions.list': () => ({}),
  'instances.list': (p) =>
    compact({
      filter: p.filter === undefined || p.filter === null ? undefined : parseFilter(p.filter),
      orderBy: oneOf(p, 'orderBy', ORDERS),
      descending: bool(p, 'descending'),
      pageSize: int(p, 'pageSize', 1, MAX_PAGE_SIZE),
      continuationToken: str(p, 'continuationToken') || undefined,
    }),
  'instances.get': (p) => ({ instanceId: str(p, 'instanceId', true) }),
  'instances.history': (p) =>
    compact({
      instanceId: str(p, 'instanceId', true),
      executionId: str(p, 'executionId') || undefined,
      from: int(p, 'from', 0, Number.MAX_SAFE_INTEGER),
      limit: int(p, 'limit', 1, Number.MAX_SAFE_INTEGER),
    }),
  'instances.start': (p) => {
    const instanceId = str(p, 'instanceId');
    return compact({ name: str(p, 'name', true), input: p.input, instanceId: instanceId || undefined });
  },
  'instances.raiseEvent': (p) => compact({ instanceId: str(p, 'instanceId', true), eventName: str(p, 'eventName', true), data: p.data }),
  'instances.terminate': (p) => compact({ instanceId: str(p, 'instanceId', true), reason: str(p, 'reason') }),
  'instances.suspend': (p) => compact({ instanceId: str(p, 'instanceId', true), reason: str(p, 'reason') }),
  'instances.resume': (p) => compact({ instanceId: str(p, 'instanceId', true), reason: str(p, 'reason') }),
  'instances.rewind': (p) => compact({ instanceId: str(p, 'instanceId', true), reason: str(p, 'reason') }),
  'instances.restart': (p) => compact({ instanceId: str(p, 'instanceId', true), newInstanceId: bool(p, 'newInstanceId') }),
  'instances.purge': (p) => ({ instanceId: str(p, 'instanceId', true) }),
  'instances.purgeWhere': (p) => {
    if (!isObject(p.filter)) throw new ParamError('filter is required (an object; {} purges every finished instance).');
    return { filter: parseFilter(p.filter) };
  },
  'instances.waitingEvents': (p) => ({ instanceId: str(p, 'instanceId', true) }),
  subscribe: (p) => compact({ topics: topics(p, true)!, instanceIds: instanceIds(p) }),
  unsubscribe: (p) => compact({ topics: topics(p, false), instanceIds: instanceIds(p) }),
};

export function isMethod(name: string): name is Method {
  return Object.hasOwn(VALIDATORS, name);
}

export const METHODS = Object.keys(VALIDATORS) as Method[];

export function validateParams<M extends Method>(method: M, params: Obj): Params<M> {
  return (VALIDATORS[method] as (p: Obj) => Params<M>)(params);
}
