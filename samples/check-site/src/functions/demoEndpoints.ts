import { app, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';

/*
 * Local HTTP endpoints for the orchestrators to call, so the sample works without internet.
 * They are plain @azure/functions HTTP functions, not durable ones.
 */

/** GET /api/status/{code}: answers with that HTTP status code (like httpbin's /status/{code}). */
app.http('StatusCode', {
    methods: ['GET', 'HEAD'],
    authLevel: 'anonymous',
    route: 'status/{code}',
    handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
        const code = Number(request.params.code);
        if (!Number.isInteger(code) || code < 200 || code > 599) {
            return { status: 400, jsonBody: { error: 'code must be an HTTP status code between 200 and 599.' } };
        }
        context.log(`Answering with HTTP ${code}.`);
        return { status: code, jsonBody: { statusCode: code } };
    },
});

/** jobId -> time (ms since epoch) at which the job completes. In-memory, per worker process. */
const jobs = new Map<string, number>();

/**
 * GET /api/slow-job/{jobId}?seconds=N: a long-running operation following the async
 * request-reply pattern. The first request starts job {jobId} (N seconds, default 3); until it
 * is done every request answers `202 Accepted` with `Location` (this same URL) and
 * `Retry-After: 1`; afterwards it answers `200 OK` with the job result.
 * Use a new jobId for every run.
 */
app.http('SlowJob', {
    methods: ['GET'],
    authLevel: 'anonymous',
    route: 'slow-job/{jobId}',
    handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
        const jobId = request.params.jobId;
        const seconds = Number(request.query.get('seconds') ?? 3);
        const durationMs = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 3000;

        const now = Date.now();
        let readyAt = jobs.get(jobId);
        if (readyAt === undefined) {
            readyAt = now + durationMs;
            jobs.set(jobId, readyAt);
            context.log(`Started job ${jobId}; it completes at ${new Date(readyAt).toISOString()}.`);
        }

        if (now < readyAt) {
            return {
                status: 202,
                headers: { Location: request.url, 'Retry-After': '1' },
                jsonBody: { jobId, status: 'Running', readyAt: new Date(readyAt).toISOString() },
            };
        }

        context.log(`Job ${jobId} is complete.`);
        return {
            status: 200,
            jsonBody: { jobId, status: 'Completed', completedAt: new Date(readyAt).toISOString() },
        };
    },
});
