import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { ActivityHandler } from 'durable-functions';

export interface AlertInput {
    repo: string;
    count: number;
    threshold: number;
}

/**
 * "Sends" the alert. The official sample texts it with Twilio; here it is written to the
 * function log and returned.
 */
const sendAlert: ActivityHandler = (input: AlertInput, context: InvocationContext): string => {
    const message = `ALERT: ${input.repo} has ${input.count} open issues (threshold ${input.threshold}).`;
    context.log(message);
    return message;
};

df.app.activity('SendAlert', { handler: sendAlert });
