/**
 * HTTP functions of an app that streams HTTP (`app.setup({ enableHttpStream: true })`), as the Functions
 * host runs them: @azure/functions listens on its own HTTP proxy (the worker's `httpUri`); the host sends
 * the invocation to the worker and, at the same time, forwards the request there with its body streamed
 * and `x-ms-invocation-id`, then streams the proxy's response to the client as its chunks arrive.
 */
import * as http from 'node:http';
import { Transform, pipeline } from 'node:stream';
import type { HttpInvocation, HttpResponseData, InvocationValue } from '../../protocol/worker';
import type { WorkerProcess } from '../runtime/workerProcess';
import { tooLarge } from './httpUtil';

/** Hop-by-hop headers and the proxy's own header, which stay between the host and the app's proxy. */
const PROXY_ONLY_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'x-ms-invocation-id']);

export interface StreamedCall {
  worker: WorkerProcess;
  httpUri: string;
  maxBody: number;
  /** The invocation without its body, which this module streams to the app's proxy. */
  invocation: HttpInvocation;
  /** Sends a worker's non-streamed answer (the function gave no HTTP output). */
  sendResponse: (response: HttpResponseData) => void;
}

export async function invokeStreamed(req: http.IncomingMessage, res: http.ServerResponse, call: StreamedCall): Promise<void> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > call.maxBody) throw tooLarge(call.maxBody);
  const { invocationId } = call.invocation;
  const target = new URL(req.url ?? '/', call.httpUri);
  const proxyReq = http.request(target, {
    method: req.method,
    headers: {
      ...(req.headers['content-length'] !== undefined ? { 'content-length': req.headers['content-length'] } : {}),
      'x-ms-invocation-id': invocationId,
      'x-forwarded-host': req.headers.host ?? target.host,
      'x-forwarded-proto': 'http',
    },
  });
  const proxyRes = new Promise<http.IncomingMessage>((resolve, reject) => {
    proxyReq.once('response', resolve);
    proxyReq.once('error', reject);
  });
  proxyRes.catch(() => undefined); // settled below, or abandoned once the invocation has answered
  // pipe(), not pipeline(): when the proxy connection is dropped the client's request must stay open
  // for the answer the host still owes it.
  const limiter = byteLimit(call.maxBody);
  const overLimit = new Promise<never>((_resolve, reject) => limiter.once('error', reject));
  overLimit.catch(() => undefined);
  req.pipe(limiter).pipe(proxyReq);
  res.once('close', () => proxyReq.destroy());

  const invoked = call.worker.invoke(call.invocation);
  invoked.catch(() => undefined); // awaited below unless a 413 ends the call first
  const first = await Promise.race([
    proxyRes.then((response) => ({ response })),
    invoked.then((value) => ({ value })),
    overLimit,
  ]).catch((error: unknown) => {
    req.unpipe(limiter);
    proxyReq.destroy();
    throw error;
  });
  if ('response' in first) {
    await relay(first.response, res);
    await invoked; // answers right after the response; a failure now can only end the connection
    return;
  }
  if (!isStreamed(first.value)) {
    req.unpipe(limiter);
    proxyReq.destroy();
    call.sendResponse(first.value as HttpResponseData);
    return;
  }
  await relay(await proxyRes, res);
}

function isStreamed(value: InvocationValue): boolean {
  return (value as { streamed?: boolean }).streamed === true;
}

/** Writes the proxy's status and headers, then its body chunk by chunk as it arrives. */
function relay(from: http.IncomingMessage, to: http.ServerResponse): Promise<void> {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(from.headers)) {
    if (value !== undefined && !PROXY_ONLY_HEADERS.has(name)) headers[name] = value;
  }
  to.writeHead(from.statusCode ?? 200, headers);
  // Chunks must reach the client as the function writes them, not when a buffer fills.
  to.flushHeaders();
  return new Promise((resolve) => pipeline(from, to, () => resolve()));
}

/** Passes a request body through, failing with 413 once it exceeds `limit` bytes. */
function byteLimit(limit: number): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > limit) done(tooLarge(limit));
      else done(null, chunk);
    },
  });
}
