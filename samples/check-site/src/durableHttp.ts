/**
 * Helpers shared by the check-site orchestrators (this file registers no function).
 */

/**
 * Shape of the value a yielded `context.df.callHttp(...)` task resolves to
 * (durable-functions' DurableHttpResponse, which its typings do not export).
 */
export interface DurableHttpResponse {
    statusCode: number;
    content?: string;
    headers?: { [key: string]: string };
}

export interface SiteCheckResult {
    url: string;
    statusCode: number;
    available: boolean;
    content?: unknown;
}

/** The orchestration input is the URL string; `{ "url": "..." }` is accepted too. */
export function readUrl(input: unknown, orchestratorName: string): string {
    const url = typeof input === 'object' && input !== null ? (input as { url?: unknown }).url : input;
    if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) {
        throw new Error(`${orchestratorName} expects an absolute http(s) URL as input, got ${JSON.stringify(input)}.`);
    }
    return url;
}

/** Response bodies are strings; hand JSON back as JSON. */
export function parseContent(content: string | undefined): unknown {
    if (content === undefined || content === null || content === '') {
        return undefined;
    }
    try {
        return JSON.parse(content);
    } catch {
        return content;
    }
}
