import * as df from 'durable-functions';
import { OrchestrationContext, OrchestrationHandler } from 'durable-functions';

const CHALLENGE_TIMEOUT_SECONDS = 90;
const MAX_ATTEMPTS = 3;

/** Accepts the code as a number (1234) or a string ("1234"). */
function matchesCode(response: unknown, challengeCode: number): boolean {
    return String(response).trim() === String(challengeCode);
}

/**
 * Human interaction with a timeout: send a 4-digit code to a phone number, then wait up to
 * 90 seconds for the user to send it back through the "SmsChallengeResponse" event.
 * The user gets 3 attempts. Output: true if verified, false on timeout or after 3 wrong codes.
 */
const smsPhoneVerification: OrchestrationHandler = function* (context: OrchestrationContext) {
    const phoneNumber = context.df.getInput<string>();
    if (!phoneNumber) {
        throw new Error('A phone number input is required.');
    }

    const challengeCode: number = yield context.df.callActivity('SendSmsChallenge', phoneNumber);

    // One timer for the whole challenge; it is raced against each attempt.
    const expiration = new Date(context.df.currentUtcDateTime.getTime() + CHALLENGE_TIMEOUT_SECONDS * 1000);
    const timeoutTask = context.df.createTimer(expiration);

    let authorized = false;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        context.df.setCustomStatus({ attemptsRemaining: MAX_ATTEMPTS - attempt + 1, expiresAt: expiration.toISOString() });

        const challengeResponseTask = context.df.waitForExternalEvent('SmsChallengeResponse');
        const winner = yield context.df.Task.any([challengeResponseTask, timeoutTask]);

        if (winner === challengeResponseTask) {
            if (matchesCode(challengeResponseTask.result, challengeCode)) {
                authorized = true;
                break;
            }
            if (!context.df.isReplaying) {
                context.log(`Wrong code for ${phoneNumber} (attempt ${attempt} of ${MAX_ATTEMPTS}).`);
            }
        } else {
            // The timer won: the challenge expired.
            if (!context.df.isReplaying) {
                context.log(`Verification of ${phoneNumber} timed out.`);
            }
            break;
        }
    }

    if (!timeoutTask.isCompleted) {
        // All pending timers must complete or be cancelled for the orchestration to finish.
        timeoutTask.cancel();
    }

    context.df.setCustomStatus({ verified: authorized });
    return authorized;
};

df.app.orchestration('SmsPhoneVerification', smsPhoneVerification);
