/** One HTTP port for everything: the Durable API, the app's HTTP functions and (upgrades) the control channel. */
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import type { WorkerProcess } from '../runtime/workerProcess';
import { AppRoutes, handleAppFunction, isAppPath } from './appFunctions';
import { DurableApiDeps, handleDurableApi } from './durableApi';
import { answerRaw, guardConnections, SERVER_OPTIONS } from './connectionLimits';
import { HttpError, sendError, sendJson } from './httpUtil';
import type { CorsPolicy } from './cors';
import { UrlContext, isDurableApiPath } from './managementUrls';
import { AccessPolicy, checkAccess, isLocalCaller, isLoopbackBind } from './security';

export interface ServerDeps extends Omit<DurableApiDeps, 'urls'> {
  worker: WorkerProcess;
  routePrefix: string;
  hubName: string;
  policy: AccessPolicy;
  /** Origin used for URLs handed to the app's own DurableClient (always loopback). */
  internalOrigin: () => string;
  onUpgrade?: (req: http.IncomingMessage, socket: Duplex, head: Buffer, url: URL) => void;
  log: (level: 'warning' | 'error', message: string) => void;
  /** Host.CORS of local.settings.json, when set. */
  cors?: CorsPolicy;
}

export function createServer(deps: ServerDeps): http.Server {
  const routes = new AppRoutes(deps.worker);
  // URLs handed to a caller from another machine carry the key it had to present.
  const publicUrls = (req: http.IncomingMessage): UrlContext => ({
    origin: `http://${req.headers.host ?? '127.0.0.1'}`,
    hubName: deps.hubName,
    key: isLoopbackBind(deps.policy.bindHost) || isLocalCaller(req) ? undefined : deps.policy.key,
  });
  const clientUrls = (): UrlContext => ({ origin: deps.internalOrigin(), hubName: deps.hubName });
  const server = http.createServer(SERVER_OPTIONS, (req, res) => {
    let url: URL;
    try {
      // Absolute, on the origin the client used, so that URLs handed back point where it called.
      url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    } catch {
      return sendError(res, 400, 'Malformed request URL or Host header.');
    }
    // Preflights are answered before any other check, as the CORS middleware runs before the host's.
    if (deps.cors?.preflight(req, res)) return;
    const refusal = checkAccess(req, url, deps.policy);
    if (refusal) return sendError(res, refusal.status, refusal.message);
    deps.cors?.decorate(req, res);
    handle(req, res, url).catch((error) => {
      if (error instanceof HttpError) return sendError(res, error.status, error.message);
      deps.log('error', `HTTP ${req.method} ${url.pathname} failed: ${(error as Error).stack ?? error}`);
      sendError(res, 500, `Internal error: ${(error as Error).message}`);
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (isDurableApiPath(url.pathname)) {
      return handleDurableApi(req, res, url, { ...deps, urls: publicUrls });
    }
    if (url.pathname === '/admin/host/status' && req.method === 'GET') {
      const state = deps.worker.state === 'ready' ? 'Running' : deps.worker.state === 'loadFailed' ? 'Error' : 'Default';
      return sendJson(res, 200, { state, errors: deps.worker.loadError ? [deps.worker.loadError.message] : [] });
    }
    if (isAppPath(url.pathname, deps.routePrefix)) {
      return handleAppFunction(req, res, url, { worker: deps.worker, routePrefix: deps.routePrefix, maxBody: deps.maxBody, urls: clientUrls }, routes);
    }
    sendError(res, 404, `Nothing is served at ${url.pathname}. The app's functions are under /${deps.routePrefix}/.`);
  }

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://emulator.invalid');
    } catch {
      return answerRaw(socket, 400, 'Malformed request URL.');
    }
    const refusal = checkAccess(req, url, deps.policy);
    if (refusal) return answerRaw(socket, refusal.status, refusal.message);
    if (!deps.onUpgrade) return answerRaw(socket, 404, `No WebSocket endpoint at ${url.pathname}.`);
    deps.onUpgrade(req, socket, head, url);
  });
  guardConnections(server);
  return server;
}
