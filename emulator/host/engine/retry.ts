/** The Durable Task Framework's retry policy (RetryInterceptor.ComputeNextDelay). */
import type { RetryOptions } from '../../protocol/durable';

/**
 * Delay before the next attempt after `failedAttempts` failures (1-based), or null when no retry is
 * left: attempts exhausted, or the retry timeout measured from the first attempt has passed.
 */
export function nextRetryDelay(options: RetryOptions, failedAttempts: number, firstAttemptAt: number, now: number): number | null {
  if (failedAttempts >= options.maxNumberOfAttempts || retryTimedOut(options, firstAttemptAt, now)) return null;
  const coefficient = options.backoffCoefficient && options.backoffCoefficient > 0 ? options.backoffCoefficient : 1;
  const delay = options.firstRetryIntervalInMilliseconds * Math.pow(coefficient, failedAttempts - 1);
  const cap = options.maxRetryIntervalInMilliseconds;
  return cap !== undefined && cap > 0 ? Math.min(delay, cap) : delay;
}

export function retryTimedOut(options: RetryOptions, firstAttemptAt: number, now: number): boolean {
  const timeout = options.retryTimeoutInMilliseconds;
  return timeout !== undefined && timeout > 0 && now >= firstAttemptAt + timeout;
}
