import * as df from 'durable-functions';
import { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { DurableHttpResponse, readUrl, SiteCheckResult } from '../durableHttp';

/**
 * Durable HTTP: a single GET issued by the Durable Functions host (no activity function
 * needed). Input: the URL string. Output: { url, statusCode, available: statusCode < 400 }.
 *
 * Polling is switched off here so that a 202 answer is reported as-is; see CheckSiteAsync for
 * the 202 + Location polling pattern.
 */
const checkSiteAvailable: OrchestrationHandler = function* (context: OrchestrationContext) {
    const url = readUrl(context.df.getInput(), 'CheckSiteAvailable');

    const response: DurableHttpResponse = yield context.df.callHttp({
        method: 'GET',
        url,
        enablePolling: false,
    });

    const result: SiteCheckResult = {
        url,
        statusCode: response.statusCode,
        available: response.statusCode < 400,
    };
    return result;
};

df.app.orchestration('CheckSiteAvailable', checkSiteAvailable);
