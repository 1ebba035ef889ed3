import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { ActivityHandler } from 'durable-functions';
import { randomInt } from 'node:crypto';

/**
 * Generates a random 4-digit verification code and "sends" it. The official sample texts it
 * with Twilio; here it is written to the function log. Returns the code to the orchestrator.
 *
 * Randomness is fine here: activities run once and their result is recorded in the history.
 */
const sendSmsChallenge: ActivityHandler = (phone: string, context: InvocationContext): number => {
    const code = randomInt(1000, 10000);
    context.log(`Sending verification code ${code} to ${phone}`);
    return code;
};

df.app.activity('SendSmsChallenge', { handler: sendSmsChallenge });
