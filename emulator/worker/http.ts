/**
 * HTTP function invocations: the host's request becomes the `http` TypedData the Functions host would
 * send (plus the durableClient binding data), and the library's HTTP output becomes HttpResponseData.
 */
import type { HttpInvocation, HttpResponseData } from '../protocol/worker';
import type { FunctionsCore, RegisteredFunction } from './core';
import type { LogFn, RpcHttpCookie, RpcHttpData, RpcParameterBinding } from './coreTypes';
import { durableClientBindingKeys, triggerBinding } from './functions';
import { runFunction } from './invoke';
import { typedDataToBuffer } from './typedData';

export async function runHttp(
  core: FunctionsCore,
  fn: RegisteredFunction,
  invocation: HttpInvocation,
  log: LogFn,
): Promise<HttpResponseData> {
  if (core.httpStreamRequested) {
    // With streaming on, the library waits for the request on its own proxy server, which nothing calls.
    throw new Error('This app enables HTTP streaming (app.setup({ enableHttpStream: true })), which the emulator does not support.');
  }
  const { key } = triggerBinding(fn.metadata);
  const { method, url, headers, query, params, body } = invocation.request;
  const inputData: RpcParameterBinding[] = [
    { name: key, data: { http: { method, url, headers, query, params, body: { bytes: Buffer.from(body, 'base64') } } } },
  ];
  if (invocation.durableClient !== undefined) {
    const clientData = JSON.stringify(invocation.durableClient);
    for (const clientKey of durableClientBindingKeys(fn.metadata)) {
      inputData.push({ name: clientKey, data: { string: clientData } });
    }
  }
  const run = await runFunction(core, fn, inputData, log);
  if (run.failed) {
    throw run.error;
  }
  const response = await run.model.getResponse(run.context, run.result);
  // The response is the `$return` binding, or a named http output set through context.extraOutputs.
  const outputs = [response.returnValue, ...(response.outputData ?? []).map((o) => o.data)];
  const http = outputs.find((data) => data?.http)?.http;
  return http ? toHttpResponseData(http) : { status: 204, headers: {}, body: '' };
}

function toHttpResponseData(http: RpcHttpData): HttpResponseData {
  const headers: Record<string, string | string[]> = { ...(http.headers ?? {}) };
  const cookies = (http.cookies ?? []).map(toSetCookie);
  if (cookies.length > 0) {
    const existing = headers['set-cookie'];
    headers['set-cookie'] = [...(existing === undefined ? [] : ([] as string[]).concat(existing)), ...cookies];
  }
  const status = Number(http.statusCode ?? 200);
  return {
    status: Number.isInteger(status) ? status : 200,
    headers,
    body: typedDataToBuffer(http.body).toString('base64'),
  };
}

const SAME_SITE: Record<string, string | undefined> = { lax: 'Lax', strict: 'Strict', explicitNone: 'None' };

/** A Set-Cookie header from the library's RpcHttpCookie (RFC 6265 attributes). */
function toSetCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const expires = cookie.expires?.value?.seconds;
  if (expires !== undefined) parts.push(`Expires=${new Date(expires * 1000).toUTCString()}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  const sameSite = cookie.sameSite && SAME_SITE[cookie.sameSite];
  if (sameSite) parts.push(`SameSite=${sameSite}`);
  if (cookie.maxAge?.value !== undefined) parts.push(`Max-Age=${cookie.maxAge.value}`);
  return parts.join('; ');
}
