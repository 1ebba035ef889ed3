/**
 * `context.df.callHttp` (BuiltIn::HttpActivity): the host makes the request itself and, with the async
 * pattern, polls a 202's Location honouring Retry-After, so the orchestrator sees one final response.
 */
import type { HttpRequestSpec } from '../../protocol/durable';
import type { Clock } from './clock';

export interface DurableHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  content: string;
}

export interface HttpActivityOptions {
  clock: Clock;
  /** Wait between polls when a 202 carries no Retry-After (the library's default is 30 s). */
  defaultPollMs: number;
  /** Give up polling after this long. */
  maxPollMs: number;
}

const sleep = (clock: Clock, ms: number) => new Promise<void>((resolve) => clock.at(clock.now() + ms, resolve));

export async function runHttpActivity(specText: string | null, options: HttpActivityOptions): Promise<DurableHttpResponse> {
  const spec = JSON.parse(specText ?? '{}') as HttpRequestSpec;
  if (!spec.uri) throw new Error('callHttp: the request has no uri.');
  if (spec.tokenSource) throw new Error('callHttp: managed identity token sources are not available in the emulator.');
  const started = options.clock.now();
  let response = await send(spec.method || 'GET', spec.uri, spec.headers, spec.content);
  while (spec.asynchronousPatternEnabled !== false && response.statusCode === 202 && header(response, 'location')) {
    if (options.clock.now() - started > options.maxPollMs) {
      throw new Error(`callHttp: ${spec.uri} still answered 202 after polling for ${Math.round(options.maxPollMs / 1000)}s.`);
    }
    const retryAfter = Number(header(response, 'retry-after'));
    await sleep(options.clock, Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : options.defaultPollMs);
    const location = new URL(header(response, 'location')!, spec.uri).href;
    response = await send('GET', location, spec.headers);
  }
  return response;
}

function header(response: DurableHttpResponse, name: string): string | undefined {
  const key = Object.keys(response.headers).find((k) => k.toLowerCase() === name);
  return key ? response.headers[key] : undefined;
}

async function send(method: string, uri: string, headers?: Record<string, string | string[]>, content?: string): Promise<DurableHttpResponse> {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) flat[k] = Array.isArray(v) ? v.join(', ') : String(v);
  const upper = method.toUpperCase();
  const res = await fetch(uri, {
    method: upper,
    headers: flat,
    body: upper === 'GET' || upper === 'HEAD' || content === undefined || content === null ? undefined : content,
    redirect: 'follow',
  });
  const out: Record<string, string> = {};
  res.headers.forEach((value, key) => (out[key] = value));
  return { statusCode: res.status, headers: out, content: await res.text() };
}
