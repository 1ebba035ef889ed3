/** The app's own HTTP functions under the route prefix (default /api), run in the worker. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FunctionInfo, HttpInvocation, HttpResponseData } from '../../protocol/worker';
import { FunctionError, WorkerProcess } from '../runtime/workerProcess';
import { invokeStreamed } from './appFunctionStream';
import { HttpError, readBody, sendError } from './httpUtil';
import { UrlContext, durableClientData } from './managementUrls';
import { CompiledRoute, compileRoute, matchRoute } from './routeTemplate';

export interface AppFunctionsDeps {
  worker: WorkerProcess;
  routePrefix: string;
  maxBody: number;
  urls: (req: IncomingMessage) => UrlContext;
}

interface Route {
  fn: FunctionInfo;
  compiled: CompiledRoute;
}

/** Compiled routes, rebuilt when the worker reloads the app. */
export class AppRoutes {
  private routes: Route[] = [];
  private source: FunctionInfo[] | null = null;

  constructor(private readonly worker: WorkerProcess) {}

  get(): Route[] {
    if (this.source !== this.worker.functions) {
      this.source = this.worker.functions;
      this.routes = this.worker.functions
        .filter((fn) => fn.kind === 'http')
        .map((fn) => ({ fn, compiled: compileRoute(fn.route ?? fn.name) }))
        .sort((a, b) => b.compiled.specificity - a.compiled.specificity);
    }
    return this.routes;
  }
}

export function isAppPath(pathname: string, routePrefix: string): boolean {
  if (!routePrefix) return true;
  const prefix = `/${routePrefix}`.toLowerCase();
  const path = pathname.toLowerCase();
  return path === prefix || path.startsWith(`${prefix}/`);
}

export async function handleAppFunction(req: IncomingMessage, res: ServerResponse, url: URL, deps: AppFunctionsDeps, routes: AppRoutes): Promise<void> {
  const { worker } = deps;
  if (worker.state !== 'ready') {
    const why = worker.loadError ? `the app failed to load: ${worker.loadError.message}` : `the app worker is ${worker.state}`;
    return sendError(res, 503, `HTTP functions are unavailable: ${why}`);
  }
  const path = deps.routePrefix ? url.pathname.slice(deps.routePrefix.length + 1) : url.pathname;
  const method = (req.method ?? 'GET').toUpperCase();
  let pathMatched = false;
  for (const { fn, compiled } of routes.get()) {
    const params = matchRoute(compiled, path);
    if (!params) continue;
    pathMatched = true;
    if (fn.methods?.length && !fn.methods.includes(method)) continue;
    return invoke(req, res, url, deps, fn, params);
  }
  if (pathMatched) return sendError(res, 405, `Method ${method} is not allowed for ${url.pathname}.`);
  sendError(res, 404, `No HTTP function matches ${method} ${url.pathname}.`);
}

async function invoke(req: IncomingMessage, res: ServerResponse, url: URL, deps: AppFunctionsDeps, fn: FunctionInfo, params: Record<string, string>): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => (query[key] = value));
  const invocation: HttpInvocation = {
    kind: 'http',
    functionName: fn.name,
    invocationId: randomUUID(),
    request: { method: req.method ?? 'GET', url: url.href, headers, query, params },
    durableClient: fn.usesDurableClient ? durableClientData(deps.urls(req)) : undefined,
  };
  const { worker } = deps;
  try {
    if (worker.httpUri !== undefined) {
      const sendResponse = (response: HttpResponseData) => send(res, response);
      return await invokeStreamed(req, res, { worker, httpUri: worker.httpUri, maxBody: deps.maxBody, invocation, sendResponse });
    }
    invocation.request.body = (await readBody(req, deps.maxBody)).toString('base64');
    send(res, (await worker.invoke(invocation)) as HttpResponseData);
  } catch (error) {
    if (error instanceof HttpError) throw error;
    const message = error instanceof FunctionError ? `The function '${fn.name}' failed: ${error.message}` : (error as Error).message;
    throw new HttpError(500, message);
  }
}

function send(res: ServerResponse, response: HttpResponseData): void {
  const out = Buffer.from(response.body ?? '', 'base64');
  const outHeaders: Record<string, string | string[]> = { ...response.headers };
  for (const key of Object.keys(outHeaders)) if (key.toLowerCase() === 'content-length' || key.toLowerCase() === 'transfer-encoding') delete outHeaders[key];
  res.writeHead(response.status || 200, { ...outHeaders, 'Content-Length': out.length });
  res.end(out);
}
