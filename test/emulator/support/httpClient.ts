/** Plain HTTP calls for tests, and waiting on conditions instead of sleeping. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export async function request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' || Buffer.isBuffer(body) ? (body as string) : JSON.stringify(body);
    if (!headers['content-type']) (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, what: string, timeoutMs = 30_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export const api = (base: string) => `${base}/runtime/webhooks/durabletask`;

/** Starts an orchestration through the built-in API; returns its instance id. */
export async function startOrchestration(base: string, name: string, input?: unknown, instanceId?: string): Promise<string> {
  const reply = await request('POST', `${api(base)}/orchestrators/${name}${instanceId ? `/${instanceId}` : ''}`, input === undefined ? undefined : input);
  if (reply.status !== 202) throw new Error(`start ${name} answered ${reply.status}: ${reply.text}`);
  return reply.json.id;
}

export async function getStatus(base: string, instanceId: string, query = ''): Promise<any> {
  const reply = await request('GET', `${api(base)}/instances/${encodeURIComponent(instanceId)}${query ? `?${query}` : ''}`);
  return reply.json;
}

/** Waits until the instance reaches one of `statuses` and returns its status JSON. */
export function waitForStatus(base: string, instanceId: string, statuses: string[], timeoutMs = 30_000, query = ''): Promise<any> {
  return waitFor(async () => {
    const status = await getStatus(base, instanceId, query);
    return status && statuses.includes(status.runtimeStatus) ? status : undefined;
  }, `${instanceId} to be ${statuses.join('/')}`, timeoutMs);
}
