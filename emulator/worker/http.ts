/**
 * HTTP function invocations: the host's request becomes the `http` TypedData the Functions host would
 * send (plus the durableClient binding data), and the library's HTTP output becomes HttpResponseData.
 * An app with HTTP streaming gets its request and writes its response over its own HTTP proxy instead.
 */
import type { HttpInvocation, HttpResponseData, StreamedHttpResponse } from '../protocol/worker';
import type { FunctionsCore, RegisteredFunction } from './core';
import type { LogFn, RpcHttpCookie, RpcHttpData, RpcParameterBinding, RpcTypedData } from './coreTypes';
import { durableClientBindingKeys, triggerBinding } from './functions';
import { runFunction, type InvocationRun } from './invoke';
import { typedDataToBuffer } from './typedData';

export async function runHttp(
  core: FunctionsCore,
  fn: RegisteredFunction,
  invocation: HttpInvocation,
  streaming: boolean,
  log: LogFn,
): Promise<HttpResponseData | StreamedHttpResponse> {
  if (streaming && invocation.request.body !== undefined) {
    throw new Error('This app streams HTTP (app.setup({ enableHttpStream: true })): the host must send its request over the HTTP proxy.');
  }
  const { key } = triggerBinding(fn.metadata);
  const { method, url, headers, query, params, body } = invocation.request;
  const inputData: RpcParameterBinding[] = [
    { name: key, data: { http: { method, url, headers, query, params, body: { bytes: Buffer.from(body ?? '', 'base64') } } } },
  ];
  if (invocation.durableClient !== undefined) {
    const clientData = JSON.stringify(invocation.durableClient);
    for (const clientKey of durableClientBindingKeys(fn.metadata)) {
      inputData.push({ name: clientKey, data: { string: clientData } });
    }
  }
  // With streaming the library reads the request from its proxy, and headers and route parameters from
  // the trigger metadata, which the Functions host sends for that case only.
  const triggerMetadata = streaming ? streamTriggerMetadata(headers, query, params) : undefined;
  const run = await runFunction(core, fn, { inputData, triggerMetadata, invocationId: invocation.invocationId }, log);
  if (run.failed) {
    throw run.error;
  }
  const response = await run.model.getResponse(run.context, run.result);
  if (streaming && httpOutputs(fn, run).some((value) => value !== null && value !== undefined)) {
    // getResponse wrote it to the proxy connection (toRpcHttp → sendProxyResponse) before returning.
    return { streamed: true };
  }
  // The response is the `$return` binding, or a named http output set through context.extraOutputs.
  const outputs = [response.returnValue, ...(response.outputData ?? []).map((o) => o.data)];
  const http = outputs.find((data) => data?.http)?.http;
  return http ? toHttpResponseData(http) : { status: 204, headers: {}, body: '' };
}

function streamTriggerMetadata(
  headers: Record<string, string>,
  query: Record<string, string>,
  params: Record<string, string>,
): Record<string, RpcTypedData> {
  const metadata: Record<string, RpcTypedData> = {};
  for (const [name, value] of Object.entries(params)) metadata[name] = { string: value };
  metadata.Headers = { json: JSON.stringify(headers) };
  metadata.Query = { json: JSON.stringify(query) };
  return metadata;
}

/** The values the function gave its HTTP outputs: `$return` is its result, the others its extraOutputs. */
function httpOutputs(fn: RegisteredFunction, run: InvocationRun): unknown[] {
  const extraOutputs = (run.context as { extraOutputs?: { get(name: string): unknown } }).extraOutputs;
  return Object.entries(fn.metadata.bindings)
    .filter(([, binding]) => binding.direction === 'out' && binding.type?.toLowerCase() === 'http')
    .map(([name]) => (name === '$return' ? run.result : extraOutputs?.get(name)));
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
