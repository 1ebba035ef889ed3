import * as df from 'durable-functions';
import { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { DurableHttpResponse, parseContent, readUrl, SiteCheckResult } from '../durableHttp';

/**
 * Durable HTTP with the asynchronous 202 pattern: when the endpoint answers
 * `202 Accepted` with a `Location` header, the framework waits (`Retry-After` seconds, through
 * a durable timer) and polls again, until a non-202 answer arrives. The orchestrator code just
 * sees the final response.
 *
 * Input: the URL string. Without input it uses this app's own SlowJob endpoint,
 * http://<this host>/api/slow-job/<instanceId>?seconds=3. (A client's startNew without input sends "",
 * so an empty string counts as no input.)
 * Output: { url, statusCode, available, content }.
 */
const checkSiteAsync: OrchestrationHandler = function* (context: OrchestrationContext) {
    const input = context.df.getInput<unknown>();
    const url =
        input === undefined || input === null || input === ''
            ? `http://${ownHost()}/api/slow-job/${encodeURIComponent(context.df.instanceId)}?seconds=3`
            : readUrl(input, 'CheckSiteAsync');

    context.df.setCustomStatus({ url, state: 'polling' });

    const response: DurableHttpResponse = yield context.df.callHttp({
        method: 'GET',
        url,
        enablePolling: true,
    });

    context.df.setCustomStatus({ url, state: 'done', statusCode: response.statusCode });

    const result: SiteCheckResult = {
        url,
        statusCode: response.statusCode,
        available: response.statusCode < 400,
        content: parseContent(response.content),
    };
    return result;
};

/**
 * This app's host and port: the Functions host sets WEBSITE_HOSTNAME (Core Tools: localhost:7071), and it
 * does not change while the app runs, so replays see the same value.
 */
function ownHost(): string {
    return process.env.WEBSITE_HOSTNAME || '127.0.0.1:7071';
}

df.app.orchestration('CheckSiteAsync', checkSiteAsync);
