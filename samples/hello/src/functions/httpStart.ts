import { HttpRequest, HttpResponse, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

/**
 * Generic HTTP starter: POST /api/orchestrators/{orchestratorName} with an optional JSON body.
 * The body (if any) becomes the orchestration input. Answers 202 with the instance management
 * URLs (statusQueryGetUri, sendEventPostUri, terminatePostUri, ...).
 */
async function httpStart(
    request: HttpRequest,
    client: df.DurableClient,
    context: InvocationContext
): Promise<HttpResponse | HttpResponseInit> {
    const orchestratorName = request.params.orchestratorName;
    const body = await request.text();

    let input: unknown = undefined;
    if (body) {
        try {
            input = JSON.parse(body);
        } catch {
            return { status: 400, jsonBody: { error: 'The request body must be valid JSON.' } };
        }
    }

    const instanceId = await client.startNew(orchestratorName, { input });
    context.log(`Started orchestration '${orchestratorName}' with ID = '${instanceId}'.`);

    return client.createCheckStatusResponse(request, instanceId);
}

df.app.client.http('HttpStart', {
    route: 'orchestrators/{orchestratorName}',
    methods: ['POST'],
    authLevel: 'anonymous',
    extraInputs: [df.input.durableClient()],
    handler: httpStart,
});
