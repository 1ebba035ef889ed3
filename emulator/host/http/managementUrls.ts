/**
 * The URLs the extension hands to clients: the check-status payload of createCheckStatusResponse and
 * the durableClient binding data (reference §5), all on the origin the request came in on.
 */
export const WEBHOOK_BASE = '/runtime/webhooks/durabletask';

/** The host routes webhooks case-insensitively, as ASP.NET Core routing does. */
export function isDurableApiPath(pathname: string): boolean {
  const path = pathname.toLowerCase();
  return path === WEBHOOK_BASE || path.startsWith(`${WEBHOOK_BASE}/`);
}

export interface UrlContext {
  origin: string;
  hubName: string;
  /** Required when the emulator listens beyond loopback. */
  key?: string;
}

function common(ctx: UrlContext): string {
  const query = `taskHub=${encodeURIComponent(ctx.hubName)}&connection=Storage`;
  return ctx.key ? `${query}&code=${encodeURIComponent(ctx.key)}` : query;
}

export function managementUrls(ctx: UrlContext, instanceId: string): Record<string, string> {
  const id = encodeURIComponent(instanceId);
  const base = `${ctx.origin}${WEBHOOK_BASE}/instances/${id}`;
  const q = common(ctx);
  return {
    id: instanceId,
    statusQueryGetUri: `${base}?${q}`,
    sendEventPostUri: `${base}/raiseEvent/{eventName}?${q}`,
    terminatePostUri: `${base}/terminate?reason={text}&${q}`,
    rewindPostUri: `${base}/rewind?reason={text}&${q}`,
    purgeHistoryDeleteUri: `${base}?${q}`,
    restartPostUri: `${base}/restart?${q}`,
    suspendPostUri: `${base}/suspend?reason={text}&${q}`,
    resumePostUri: `${base}/resume?reason={text}&${q}`,
  };
}

/** The body of the HTTP API's own 202 (HttpApiHandler.CreateCheckStatusResponseMessage): no rewind URL. */
export function checkStatusPayload(urls: Record<string, string>): Record<string, string> {
  const { id, statusQueryGetUri, sendEventPostUri, terminatePostUri, purgeHistoryDeleteUri, restartPostUri, suspendPostUri, resumePostUri } = urls;
  return { id, statusQueryGetUri, sendEventPostUri, terminatePostUri, purgeHistoryDeleteUri, restartPostUri, suspendPostUri, resumePostUri };
}

/** Binding data of a durableClient input; the library fills the INSTANCEID placeholders itself. */
export function durableClientData(ctx: UrlContext): Record<string, unknown> {
  const key = ctx.key ? `?code=${encodeURIComponent(ctx.key)}` : '';
  const urls = managementUrls(ctx, 'INSTANCEID');
  return {
    taskHubName: ctx.hubName,
    connectionName: 'Storage',
    creationUrls: {
      createNewInstancePostUri: `${ctx.origin}${WEBHOOK_BASE}/orchestrators/{functionName}[/{instanceId}]${key}`,
      createAndWaitOnNewInstancePostUri: `${ctx.origin}${WEBHOOK_BASE}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}${ctx.key ? `&code=${encodeURIComponent(ctx.key)}` : ''}`,
    },
    managementUrls: { ...urls, id: 'INSTANCEID' },
    baseUrl: `${ctx.origin}${WEBHOOK_BASE}`,
    requiredQueryStringParameters: ctx.key ? `code=${encodeURIComponent(ctx.key)}` : '',
    rpcBaseUrl: `${ctx.origin}${WEBHOOK_BASE}/`,
  };
}
