import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { ActivityHandler, OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { randomUUID } from 'node:crypto';

const REQUIRED_APPROVALS = ['CityPlanningApproval', 'FireDeptApproval', 'BuildingDeptApproval'] as const;
type ApprovalName = (typeof REQUIRED_APPROVALS)[number];

export interface IssueBuildingPermitInput {
    application: unknown;
    approvals: Record<ApprovalName, unknown>;
}

export interface BuildingPermit {
    permitId: string;
    issuedAt: string;
    application: unknown;
    approvals: Record<ApprovalName, unknown>;
}

/**
 * Aggregating external events: waits until all three departments have sent their approval
 * event (Task.all, in any order), then issues the permit with an activity.
 * Input (optional): anything describing the application, e.g. { "address": "1 Main St" }.
 * Output: the permit object returned by IssueBuildingPermit.
 */
const newBuildingPermit: OrchestrationHandler = function* (context: OrchestrationContext) {
    const application = context.df.getInput<unknown>() ?? null;

    const tasks = REQUIRED_APPROVALS.map((name) => context.df.waitForExternalEvent(name));
    context.df.setCustomStatus({ waitingFor: REQUIRED_APPROVALS });

    const results: unknown[] = yield context.df.Task.all(tasks);

    const approvals = {} as Record<ApprovalName, unknown>;
    REQUIRED_APPROVALS.forEach((name, i) => {
        approvals[name] = results[i] ?? null;
    });
    context.df.setCustomStatus({ waitingFor: [], approvals });

    const input: IssueBuildingPermitInput = { application, approvals };
    const permit: BuildingPermit = yield context.df.callActivity('IssueBuildingPermit', input);
    return permit;
};
df.app.orchestration('NewBuildingPermit', newBuildingPermit);

const issueBuildingPermit: ActivityHandler = (
    input: IssueBuildingPermitInput,
    context: InvocationContext
): BuildingPermit => {
    const permit: BuildingPermit = {
        permitId: `BP-${randomUUID()}`,
        issuedAt: new Date().toISOString(),
        application: input.application,
        approvals: input.approvals,
    };
    context.log(`Issued building permit ${permit.permitId}.`);
    return permit;
};
df.app.activity('IssueBuildingPermit', { handler: issueBuildingPermit });
