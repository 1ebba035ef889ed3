/**
 * The Durable Functions built-in HTTP API under /runtime/webhooks/durabletask: the routes, status codes,
 * headers and bodies of the extension's HttpApiHandler (reference §5), routed as it routes them
 * (literal segments case-insensitive, anything unmatched an empty 404).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RuntimeStatus, isTerminal } from '../../protocol/durable';
import { ControlError, ConflictError, InstanceControl } from '../runtime/instanceControl';
import type { InstanceRow, Store } from '../storage/store';
import { ApiQuery } from './apiQuery';
import { ApiReply, badArguments, failedRequest, sendEmpty } from './apiReplies';
import { jsonTextProblem } from '../jsonLimits';
import { HttpError, readBody, sendJson, sendJsonText } from './httpUtil';
import { statusOf } from './instanceStatus';
import { UrlContext, WEBHOOK_BASE, checkStatusPayload, managementUrls } from './managementUrls';
import { ReplyBudget } from './replyBudget';

const RUNNING: RuntimeStatus[] = ['Running', 'Pending', 'ContinuedAsNew', 'Suspended'];
const DEFAULT_PAGE = 100;
/** Lists and statuses can be large: a burst of them is written a budget at a time (replyBudget.ts). */
const replies = new ReplyBudget();

export interface DurableApiDeps {
  control: InstanceControl;
  store: Store;
  maxBody: number;
  urls: (req: IncomingMessage) => UrlContext;
  /** Resolves once the instance has finished, or with undefined after the timeout. */
  waitUntilDone: (instanceId: string, timeoutMs: number) => Promise<InstanceRow | undefined>;
  /** host.json extensions.durableTask.useAppLease (default true): what makeprimary answers. */
  useAppLease: boolean;
  log: (level: 'warning' | 'error', message: string) => void;
}

interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  q: ApiQuery;
  deps: DurableApiDeps;
}

export async function handleDurableApi(req: IncomingMessage, res: ServerResponse, url: URL, deps: DurableApiDeps): Promise<void> {
  const call: Call = { req, res, url, q: new ApiQuery(url.searchParams), deps };
  try {
    await route(call);
  } catch (error) {
    if (error instanceof ApiReply) return error.send(res);
    if (error instanceof HttpError) return ApiReply.error(error.status, error.message).send(res);
    if (error instanceof ControlError && error.status === 503) return ApiReply.error(503, error.message).send(res);
    deps.log('error', `HTTP ${req.method} ${url.pathname} failed: ${(error as Error).stack ?? error}`);
    failedRequest((error as Error).message, 'System.Exception').send(res);
  }
}

async function route(call: Call): Promise<void> {
  const method = call.req.method ?? 'GET';
  const parts = call.url.pathname.slice(WEBHOOK_BASE.length).split('/').filter(Boolean).map(decodeSegment);
  const segment = (i: number) => parts[i]?.toLowerCase();
  if (segment(0) === 'orchestrators' && parts.length >= 2 && parts.length <= 3) {
    return method === 'POST' ? start(call, parts[1], parts[2]) : sendEmpty(call.res, 404);
  }
  if (segment(0) === 'entities') throw ApiReply.error(501, 'Durable entities are not supported by this emulator yet.');
  if (segment(0) === 'instances' && parts.length <= 3) {
    const [, id, operation] = parts;
    if (!id && method === 'GET') return list(call);
    if (!id && method === 'DELETE') return purgeWhere(call);
    if (id && !operation && method === 'GET') return sendStatus(call, id);
    if (id && !operation && method === 'DELETE') return purgeOne(call, id);
    if (id && operation && method === 'POST') return instanceOperation(call, id, operation.toLowerCase());
    return sendEmpty(call.res, 404);
  }
  if (segment(0) === 'instances' && parts.length === 4 && segment(2) === 'raiseevent') {
    return method === 'POST' ? raiseEvent(call, parts[1], parts[3]) : sendEmpty(call.res, 404);
  }
  if (segment(0) === 'makeprimary' && parts.length === 1) return makePrimary(call);
  sendEmpty(call.res, 404);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw ApiReply.error(400, `Malformed percent-encoding in the path segment '${segment}'.`);
  }
}

/** The body as JSON text (Json.NET's rules): `emptyIsNull` as when starting, else empty is invalid. */
function jsonBody(body: Buffer, emptyIsNull: boolean): string | null {
  const text = body.toString('utf8');
  if (!text.trim() && emptyIsNull) return null;
  try {
    JSON.parse(text);
  } catch (error) {
    throw ApiReply.exception(400, 'Invalid JSON content', (error as Error).message, 'Newtonsoft.Json.JsonReaderException');
  }
  const problem = jsonTextProblem(text);
  if (problem) throw ApiReply.exception(400, 'Invalid JSON content', problem, 'Newtonsoft.Json.JsonReaderException');
  return text.trim();
}

function alreadyExists(error: ConflictError): ApiReply {
  return failedRequest(`An Orchestration instance with the status ${error.runtimeStatus} already exists.`, 'DurableTask.Core.Exceptions.OrchestrationAlreadyExistsException');
}

async function start(call: Call, name: string, instanceId?: string): Promise<void> {
  const input = jsonBody(await readBody(call.req, call.deps.maxBody), true);
  let row: InstanceRow;
  try {
    row = await call.deps.control.start(name, { instanceId, input, version: call.q.get('version') });
  } catch (error) {
    if (error instanceof ConflictError) throw alreadyExists(error);
    if (error instanceof ControlError && error.status === 400) throw badArguments(error.message);
    throw error;
  }
  await waitOrCheckStatus(call, row.instanceId);
}

/**
 * With both `timeout` and `pollingInterval` (seconds), waits up to `timeout` for the instance to finish,
 * as WaitForCompletionOrCreateCheckStatusResponseAsync does; with one or neither, answers at once.
 * The wait ends when the finishing turn commits, so the interval only has to be valid.
 */
async function waitOrCheckStatus(call: Call, instanceId: string): Promise<void> {
  const timeout = call.q.seconds('timeout');
  const interval = call.q.seconds('pollingInterval');
  if (timeout === undefined || interval === undefined) return checkStatusResponse(call, instanceId);
  if (interval > timeout) throw badArguments(`Total timeout ${timeout / 1000} should be bigger than retry timeout ${interval / 1000}`);
  const done = await call.deps.waitUntilDone(instanceId, Math.max(0, timeout));
  if (!done) return checkStatusResponse(call, instanceId);
  if (done.runtimeStatus === 'Completed') return sendJsonText(call.res, 200, done.output ?? 'null');
  return sendStatus(call, instanceId, false);
}

/** 202 with the management URLs on the caller's origin, as the extension's CreateCheckStatusResponse answers. */
function checkStatusResponse(call: Call, instanceId: string): void {
  const payload = checkStatusPayload(managementUrls(call.deps.urls(call.req), instanceId));
  sendJson(call.res, 202, payload, { Location: payload.statusQueryGetUri, 'Retry-After': '10' });
}

/**
 * GET instances/{id}; also the answer of create-and-wait for a Failed or Terminated instance. The status is
 * read once the reply has room in the budget.
 */
function sendStatus(call: Call, instanceId: string, failureAs500?: boolean): Promise<void> {
  const { q, deps, res } = call;
  const showHistory = q.flag('showHistory', false);
  const options = { showInput: q.flag('showInput', true), showHistory, showHistoryOutput: q.flag('showHistoryOutput', false) };
  return replies.send(res, () => {
    const row = deps.store.getInstance(instanceId);
    if (!row) return { status: 404 };
    const body = statusOf(row, options, showHistory ? deps.store.getHistory(instanceId) : undefined);
    // A running instance points back at the request itself, query included.
    if (RUNNING.includes(row.runtimeStatus)) return { status: 202, body, headers: { Location: call.url.href, 'Retry-After': '5' } };
    const failed = row.runtimeStatus === 'Failed' && (failureAs500 ?? q.flag('returnInternalServerErrorOnFailure', false));
    return { status: failed ? 500 : 200, body };
  });
}

/** The statuses a filter names; `none` when it names only statuses no instance here can have (Canceled). */
function statusFilter(q: ApiQuery): RuntimeStatus[] | undefined | 'none' {
  const named = q.statuses('runtimeStatus');
  const known = named.filter((s): s is RuntimeStatus => s !== 'Canceled');
  if (named.length && !known.length) return 'none';
  return known.length ? known : undefined;
}

/** The page is read once the reply has room in the budget. */
async function list(call: Call): Promise<void> {
  const { q, deps, req, res } = call;
  const runtimeStatus = statusFilter(q);
  if (runtimeStatus === 'none') return sendJson(res, 200, []);
  const token = req.headers['x-ms-continuation-token'];
  const top = q.integer('top');
  const query = {
    createdTimeFrom: q.time('createdTimeFrom'),
    createdTimeTo: q.time('createdTimeTo'),
    runtimeStatus,
    instanceIdPrefix: q.get('instanceIdPrefix'),
    top: top && top > 0 ? top : DEFAULT_PAGE,
    continuationToken: typeof token === 'string' && token ? token : undefined,
  };
  const showInput = q.flag('showInput', true);
  await replies.send(res, () => {
    let page;
    try {
      page = deps.store.queryInstances(query);
    } catch (error) {
      throw failedRequest(`Invalid continuation token: ${(error as Error).message}`, 'System.ArgumentException');
    }
    const body = page.instances.map((row) => statusOf(row, { showInput }));
    const headers: Record<string, string> = page.continuationToken ? { 'x-ms-continuation-token': page.continuationToken } : {};
    return { status: 200, body, headers };
  });
}

async function purgeOne(call: Call, instanceId: string): Promise<void> {
  let deleted: number;
  try {
    deleted = await call.deps.control.purge(instanceId);
  } catch (error) {
    if (error instanceof ControlError && error.status === 412) throw ApiReply.error(412, error.message);
    throw error;
  }
  if (!deleted) return sendEmpty(call.res, 404);
  sendJson(call.res, 200, { instancesDeleted: deleted });
}

/**
 * DELETE instances?createdTimeFrom=…: the extension reads only the times and runtimeStatus here. As
 * DurableTask.AzureStorage's PurgeInstanceHistoryAsync, it keeps the finished statuses of runtimeStatus
 * (Canceled among them, which no instance has here) and, when none is left, filters on no status at all:
 * live instances are purged too.
 */
async function purgeWhere(call: Call): Promise<void> {
  const { q, res } = call;
  const from = q.time('createdTimeFrom');
  if (from === undefined) return sendJson(res, 400, "Please provide value for 'createdTimeFrom' parameter.");
  const finished = q.statuses('runtimeStatus').filter((s) => s === 'Canceled' || isTerminal(s));
  const runtimeStatus = finished.filter((s): s is RuntimeStatus => s !== 'Canceled');
  const deleted =
    finished.length && !runtimeStatus.length
      ? 0
      : await call.deps.control.purgeMatching({
          createdTimeFrom: from,
          createdTimeTo: q.time('createdTimeTo') ?? Date.now(),
          runtimeStatus: runtimeStatus.length ? runtimeStatus : undefined,
        });
  if (!deleted) return sendEmpty(res, 404);
  sendJson(res, 200, { instancesDeleted: deleted });
}

async function instanceOperation(call: Call, instanceId: string, operation: string): Promise<void> {
  const reason = call.q.get('reason') ?? null;
  const { control } = call.deps;
  switch (operation) {
    case 'terminate':
    case 'suspend':
    case 'resume':
      await emptyOnRefusal(() => control[operation](instanceId, reason));
      return sendEmpty(call.res, 202);
    case 'rewind':
      try {
        await control.rewind(instanceId, reason);
      } catch (error) {
        // The client library shows the body of a rewind refusal as the error message: a plain JSON string.
        if (error instanceof ControlError && (error.status === 404 || error.status === 412)) throw new ApiReply(error.status, error.message);
        throw error;
      }
      return sendEmpty(call.res, 202);
    case 'restart':
      return restart(call, instanceId);
    default:
      return sendEmpty(call.res, 404);
  }
}

/** The extension answers 404 (unknown) and 410 (finished) with an empty body. */
async function emptyOnRefusal(operation: () => Promise<void>): Promise<void> {
  try {
    await operation();
  } catch (error) {
    if (error instanceof ControlError && (error.status === 404 || error.status === 410)) throw ApiReply.empty(error.status);
    throw error;
  }
}

async function restart(call: Call, instanceId: string): Promise<void> {
  let row: InstanceRow;
  try {
    row = await call.deps.control.restart(instanceId, call.q.flag('restartWithNewInstanceId', true));
  } catch (error) {
    if (error instanceof ConflictError) throw alreadyExists(error);
    if (error instanceof ControlError && (error.status === 404 || error.status === 400)) {
      const message = error.status === 404 ? `An orchestrastion with the instanceId ${instanceId} was not found.` : error.message;
      throw ApiReply.exception(400, 'InstanceId does not match a valid orchestration instance.', message, 'System.ArgumentException');
    }
    throw error;
  }
  await waitOrCheckStatus(call, row.instanceId);
}

async function raiseEvent(call: Call, instanceId: string, eventName: string): Promise<void> {
  const row = call.deps.store.getInstance(instanceId);
  if (!row) return sendEmpty(call.res, 404);
  if (isTerminal(row.runtimeStatus)) return sendEmpty(call.res, 410);
  const mediaType = (call.req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== 'application/json') throw ApiReply.error(400, 'Only application/json request content is supported');
  const data = jsonBody(await readBody(call.req, call.deps.maxBody), false);
  await emptyOnRefusal(() => call.deps.control.raiseEvent(instanceId, eventName, data));
  sendEmpty(call.res, 202);
}

/** One app on one task hub is always the primary; without app leases the extension refuses. */
function makePrimary(call: Call): void {
  if (!call.deps.useAppLease) throw ApiReply.error(400, 'Cannot make current app primary. This app is not using the AppLease feature.');
  sendEmpty(call.res, 200);
}
