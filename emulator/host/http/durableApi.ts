/**
 * The Durable Functions built-in HTTP API under /runtime/webhooks/durabletask, with the routes,
 * status codes, headers and JSON of the real extension's HttpApiHandler (reference §5).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RuntimeStatus } from '../../protocol/durable';
import { ControlError, InstanceControl } from '../runtime/instanceControl';
import type { InstanceQuery, InstanceRow, Store } from '../storage/store';
import { HttpError, jsonTextOf, queryFlag, readBody, sendError, sendJson } from './httpUtil';
import { statusOf } from './instanceStatus';
import { ReplyBudget } from './replyBudget';
import { UrlContext, WEBHOOK_BASE, managementUrls } from './managementUrls';

const RUNNING: RuntimeStatus[] = ['Running', 'Pending', 'ContinuedAsNew', 'Suspended'];
const STATUSES: RuntimeStatus[] = ['Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Terminated', 'Suspended'];
const DEFAULT_PAGE = 100;
/** One budget for the process: it bounds the memory of replies waiting for their clients. */
const replies = new ReplyBudget();

export interface DurableApiDeps {
  control: InstanceControl;
  store: Store;
  maxBody: number;
  urls: (req: IncomingMessage) => UrlContext;
  /** Resolves once the instance has finished, or with undefined after the timeout. */
  waitUntilDone: (instanceId: string, timeoutMs: number) => Promise<InstanceRow | undefined>;
}

export async function handleDurableApi(req: IncomingMessage, res: ServerResponse, url: URL, deps: DurableApiDeps): Promise<void> {
  const method = req.method ?? 'GET';
  try {
    const parts = url.pathname.slice(WEBHOOK_BASE.length).split('/').filter(Boolean).map(decodeSegment);
    const [head, id, action, extra] = parts;
    if (head === 'orchestrators' && id && method === 'POST' && parts.length <= 3) return await start(req, res, url, deps, id, action);
    if (head === 'instances' && !id) {
      if (method === 'GET') return await list(req, res, url, deps);
      if (method === 'DELETE') return await purgeWhere(res, url, deps);
    }
    if (head === 'instances' && id) {
      if (!action && method === 'GET') return await getOne(req, res, url, deps, id);
      if (!action && method === 'DELETE') return await purgeOne(res, deps, id);
      if (method === 'POST') return await instanceAction(req, res, url, deps, id, action, extra);
    }
    if (head === 'entities') throw new HttpError(501, 'Durable entities are not supported by this emulator yet.');
    throw new HttpError(404, `No Durable Functions API route matches ${method} ${url.pathname}.`);
  } catch (error) {
    if (error instanceof ControlError || error instanceof HttpError) return sendError(res, error.status, error.message);
    throw error;
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `Malformed percent-encoding in the path segment '${segment}'.`);
  }
}

async function start(req: IncomingMessage, res: ServerResponse, url: URL, deps: DurableApiDeps, name: string, instanceId?: string) {
  const input = jsonTextOf(await readBody(req, deps.maxBody));
  const row = await deps.control.start(name, { instanceId, input });
  const timeout = url.searchParams.get('timeout');
  if (timeout !== null) return waitThenRespond(req, res, deps, row, Number(timeout));
  checkStatusResponse(req, res, deps, row.instanceId);
}

/** 202 with the management URLs, as createCheckStatusResponse answers. */
export function checkStatusResponse(req: IncomingMessage, res: ServerResponse, deps: DurableApiDeps, instanceId: string): void {
  const urls = managementUrls(deps.urls(req), instanceId);
  sendJson(res, 202, urls, { Location: urls.statusQueryGetUri, 'Retry-After': '10' });
}

/** The create-and-wait variant: the output once done within `timeout` seconds, else the 202 payload. */
async function waitThenRespond(req: IncomingMessage, res: ServerResponse, deps: DurableApiDeps, row: InstanceRow, timeoutS: number) {
  const done = await deps.waitUntilDone(row.instanceId, Math.max(0, timeoutS || 0) * 1000);
  if (!done) return checkStatusResponse(req, res, deps, row.instanceId);
  sendJson(res, 200, done.runtimeStatus === 'Completed' ? statusOf(done, {}).output : statusOf(done, {}));
}

/** The status is read once the reply has room in the budget (see replyBudget.ts). */
function getOne(req: IncomingMessage, res: ServerResponse, url: URL, deps: DurableApiDeps, instanceId: string) {
  return replies.send(res, () => {
    const row = deps.store.getInstance(instanceId);
    if (!row) return { status: 404, body: { message: `No orchestration instance with ID '${instanceId}' was found.` } };
    const q = url.searchParams;
    const showHistory = queryFlag(q, 'showHistory', false);
    const body = statusOf(
      row,
      { showInput: queryFlag(q, 'showInput', true), showHistory, showHistoryOutput: queryFlag(q, 'showHistoryOutput', false) },
      showHistory ? deps.store.getHistory(instanceId) : undefined,
    );
    if (RUNNING.includes(row.runtimeStatus)) {
      const location = managementUrls(deps.urls(req), instanceId).statusQueryGetUri;
      return { status: 202, body, headers: { Location: location, 'Retry-After': '5' } };
    }
    const failed = row.runtimeStatus === 'Failed' && queryFlag(q, 'returnInternalServerErrorOnFailure', false);
    return { status: failed ? 500 : 200, body };
  });
}

export function parseQuery(q: URLSearchParams): InstanceQuery {
  const time = (name: string) => {
    const value = q.get(name);
    if (!value) return undefined;
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw new HttpError(400, `${name} is not a valid date: '${value}'.`);
    return ms;
  };
  const statuses = (q.get('runtimeStatus') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const match = STATUSES.find((known) => known.toLowerCase() === s.toLowerCase());
      if (!match) throw new HttpError(400, `Unknown runtimeStatus '${s}'. Use one of ${STATUSES.join(', ')}.`);
      return match;
    });
  const top = q.get('top');
  const topN = top === null ? undefined : Number(top);
  if (topN !== undefined && (!Number.isInteger(topN) || topN < 0)) throw new HttpError(400, `top must be a non-negative integer.`);
  return {
    createdTimeFrom: time('createdTimeFrom'),
    createdTimeTo: time('createdTimeTo'),
    runtimeStatus: statuses.length ? statuses : undefined,
    instanceIdPrefix: q.get('instanceIdPrefix') ?? undefined,
    top: topN,
  };
}

/** The page is read once the reply has room in the budget (see replyBudget.ts). */
function list(req: IncomingMessage, res: ServerResponse, url: URL, deps: DurableApiDeps) {
  const query = parseQuery(url.searchParams);
  const token = req.headers['x-ms-continuation-token'];
  const showInput = queryFlag(url.searchParams, 'showInput', true);
  return replies.send(res, () => {
    let page;
    try {
      page = deps.store.queryInstances({ ...query, top: query.top || DEFAULT_PAGE, continuationToken: typeof token === 'string' && token ? token : undefined });
    } catch (error) {
      throw new HttpError(400, `Invalid continuation token: ${(error as Error).message}`);
    }
    const headers: Record<string, string> = {};
    if (page.continuationToken) headers['x-ms-continuation-token'] = page.continuationToken;
    return { status: 200, body: page.instances.map((row) => statusOf(row, { showInput })), headers };
  });
}

async function purgeOne(res: ServerResponse, deps: DurableApiDeps, instanceId: string) {
  const deleted = await deps.control.purge(instanceId);
  if (!deleted) return sendError(res, 404, `No orchestration instance with ID '${instanceId}' was found.`);
  sendJson(res, 200, { instancesDeleted: deleted });
}

async function purgeWhere(res: ServerResponse, url: URL, deps: DurableApiDeps) {
  const query = parseQuery(url.searchParams);
  if (query.createdTimeFrom === undefined) throw new HttpError(400, 'Purging by filter requires createdTimeFrom.');
  const deleted = await deps.control.purgeWhere(query);
  if (!deleted) return sendError(res, 404, 'No finished instances match the filter.');
  sendJson(res, 200, { instancesDeleted: deleted });
}

async function instanceAction(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: DurableApiDeps,
  instanceId: string,
  action: string | undefined,
  extra: string | undefined,
) {
  const reason = url.searchParams.get('reason');
  const body = await readBody(req, deps.maxBody);
  switch (action) {
    case 'raiseEvent':
      if (!extra) throw new HttpError(400, 'The event name is missing: POST instances/{id}/raiseEvent/{eventName}.');
      await deps.control.raiseEvent(instanceId, extra, jsonTextOf(body));
      return sendJson(res, 202, undefined);
    case 'terminate':
    case 'suspend':
    case 'resume':
    case 'rewind':
      await deps.control[action](instanceId, reason);
      return sendJson(res, 202, undefined);
    case 'restart': {
      const newId = queryFlag(url.searchParams, 'restartWithNewInstanceId', true);
      const row = await deps.control.restart(instanceId, newId);
      return checkStatusResponse(req, res, deps, row.instanceId);
    }
    default:
      throw new HttpError(404, `Unknown instance operation '${action ?? ''}'.`);
  }
}
