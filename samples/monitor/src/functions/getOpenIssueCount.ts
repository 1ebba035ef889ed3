import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { ActivityHandler } from 'durable-functions';

const DEFAULT_ISSUES_API_BASE = 'https://api.github.com';

/**
 * Asks an issues API for the repository's open issue count, the way the GitHub REST API answers
 * `GET /repos/{owner}/{name}` (`{ "open_issues_count": 42, ... }`).
 *
 * The base URL comes from the ISSUES_API_BASE app setting (local.settings.json points it at
 * http://127.0.0.1:7079 so that a local stub can stand in for GitHub).
 */
const getOpenIssueCount: ActivityHandler = async (repo: string, context: InvocationContext): Promise<number> => {
    const base = (process.env.ISSUES_API_BASE || DEFAULT_ISSUES_API_BASE).replace(/\/+$/, '');
    const url = `${base}/repos/${repo}`;

    const response = await fetch(url, {
        headers: {
            Accept: 'application/vnd.github+json',
            'User-Agent': 'durable-functions-monitor-sample',
        },
    });
    if (!response.ok) {
        throw new Error(`GET ${url} failed with HTTP ${response.status} ${response.statusText}.`);
    }

    const body = (await response.json()) as { open_issues_count?: unknown };
    const count = body.open_issues_count;
    if (typeof count !== 'number') {
        throw new Error(`GET ${url} returned no numeric "open_issues_count".`);
    }

    context.log(`${repo} has ${count} open issues.`);
    return count;
};

df.app.activity('GetOpenIssueCount', { handler: getOpenIssueCount });
