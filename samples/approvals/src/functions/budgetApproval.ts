import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { ActivityHandler, OrchestrationContext, OrchestrationHandler } from 'durable-functions';

export type BudgetDecision = 'approved' | 'rejected' | 'timed out';

const AUTO_APPROVAL_LIMIT = 1000;
const APPROVAL_TIMEOUT_HOURS = 24;

/** The BudgetApproved event carries `true`/`false`, or `{ "approved": true|false }`. */
function isApproved(eventData: unknown): boolean {
    if (typeof eventData === 'object' && eventData !== null && 'approved' in eventData) {
        return (eventData as { approved: unknown }).approved === true;
    }
    return eventData === true || eventData === 'true' || eventData === 'approved';
}

/**
 * Budget approval: amounts up to 1000 are auto-approved by an activity; larger amounts wait for
 * a human "BudgetApproved" event, raced against a 24 hour durable timer.
 * Output: "approved" | "rejected" | "timed out".
 */
const budgetApproval: OrchestrationHandler = function* (context: OrchestrationContext) {
    const input = context.df.getInput<{ amount?: unknown } | undefined>();
    const amount = Number(input?.amount);
    if (!Number.isFinite(amount)) {
        throw new Error('BudgetApproval input must be { "amount": <number> }.');
    }

    if (amount <= AUTO_APPROVAL_LIMIT) {
        const decision: BudgetDecision = yield context.df.callActivity('AutoApproveBudget', amount);
        return decision;
    }

    context.df.setCustomStatus({ amount, waitingFor: 'BudgetApproved' });

    const deadline = new Date(context.df.currentUtcDateTime.getTime() + APPROVAL_TIMEOUT_HOURS * 60 * 60 * 1000);
    const timeoutTask = context.df.createTimer(deadline);
    const approvalTask = context.df.waitForExternalEvent('BudgetApproved');

    const winner = yield context.df.Task.any([approvalTask, timeoutTask]);

    let decision: BudgetDecision;
    if (winner === approvalTask) {
        timeoutTask.cancel();
        decision = isApproved(approvalTask.result) ? 'approved' : 'rejected';
    } else {
        decision = 'timed out';
    }

    context.df.setCustomStatus({ amount, decision });
    return decision;
};
df.app.orchestration('BudgetApproval', budgetApproval);

const autoApproveBudget: ActivityHandler = (amount: number, context: InvocationContext): BudgetDecision => {
    context.log(`Auto-approving budget of ${amount} (limit ${AUTO_APPROVAL_LIMIT}).`);
    return 'approved';
};
df.app.activity('AutoApproveBudget', { handler: autoApproveBudget });
