import * as df from 'durable-functions';
import { OrchestrationContext, OrchestrationHandler } from 'durable-functions';

export interface MonitorIssuesInput {
    /** GitHub-style repository name, "owner/name". */
    repo: string;
    /** Alert as soon as the open issue count is strictly greater than this. */
    threshold: number;
    /** Seconds between two polls (default 5). */
    pollingIntervalSeconds?: number;
    /** Stop monitoring after this many seconds (default 60). */
    expirySeconds?: number;
}

export interface MonitorIssuesResult {
    alerted: boolean;
    count?: number;
}

const DEFAULT_POLLING_INTERVAL_SECONDS = 5;
const DEFAULT_EXPIRY_SECONDS = 60;

function readInput(input: unknown): Required<MonitorIssuesInput> {
    const value = (input ?? {}) as Partial<MonitorIssuesInput>;
    if (typeof value.repo !== 'string' || !/^[^/\s]+\/[^/\s]+$/.test(value.repo)) {
        throw new Error('MonitorIssues input must contain "repo" as "owner/name".');
    }
    if (typeof value.threshold !== 'number' || !Number.isFinite(value.threshold)) {
        throw new Error('MonitorIssues input must contain a numeric "threshold".');
    }
    const pollingIntervalSeconds = value.pollingIntervalSeconds ?? DEFAULT_POLLING_INTERVAL_SECONDS;
    const expirySeconds = value.expirySeconds ?? DEFAULT_EXPIRY_SECONDS;
    if (!(pollingIntervalSeconds > 0) || !(expirySeconds > 0)) {
        throw new Error('"pollingIntervalSeconds" and "expirySeconds" must be positive numbers.');
    }
    return { repo: value.repo, threshold: value.threshold, pollingIntervalSeconds, expirySeconds };
}

/**
 * Monitor pattern: poll the open issue count of a repository every `pollingIntervalSeconds`
 * until it goes over `threshold` (send an alert, return { alerted: true, count }) or until
 * `expirySeconds` have passed (return { alerted: false }).
 *
 * All time arithmetic uses context.df.currentUtcDateTime, never Date.now(), so that the
 * orchestrator stays deterministic on replay.
 */
const monitorIssues: OrchestrationHandler = function* (context: OrchestrationContext) {
    const { repo, threshold, pollingIntervalSeconds, expirySeconds } = readInput(context.df.getInput());

    const expiryTime = new Date(context.df.currentUtcDateTime.getTime() + expirySeconds * 1000);

    while (context.df.currentUtcDateTime < expiryTime) {
        const count: number = yield context.df.callActivity('GetOpenIssueCount', repo);

        if (count > threshold) {
            yield context.df.callActivity('SendAlert', { repo, count, threshold });
            const result: MonitorIssuesResult = { alerted: true, count };
            return result;
        }

        context.df.setCustomStatus({
            lastCount: count,
            checkedAt: context.df.currentUtcDateTime.toISOString(),
        });

        // Sleep until the next poll (never past the expiry time).
        const nextCheck = Math.min(
            context.df.currentUtcDateTime.getTime() + pollingIntervalSeconds * 1000,
            expiryTime.getTime()
        );
        if (!context.df.isReplaying) {
            context.log(
                `${repo}: ${count} open issues (threshold ${threshold}); next check at ${new Date(nextCheck).toISOString()}.`
            );
        }
        yield context.df.createTimer(new Date(nextCheck));
    }

    if (!context.df.isReplaying) {
        context.log(`Monitoring of ${repo} expired without an alert.`);
    }
    const result: MonitorIssuesResult = { alerted: false };
    return result;
};

df.app.orchestration('MonitorIssues', monitorIssues);
