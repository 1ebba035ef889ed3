/**
 * A function's failure as the host receives it. When the app registered an exception properties
 * provider (df.app.setExceptionPropertiesProvider), durable-functions replaces an activity error's
 * message with a JSON failure-details payload; it is passed on parsed, with the real message restored.
 */
import type { WorkerError } from '../protocol/worker';

interface FailureDetailsPayload {
  errorType: string;
  errorMessage: string;
}

export function toWorkerError(err: unknown): WorkerError {
  if (!(err instanceof Error)) {
    return { message: describeThrown(err) };
  }
  const failureDetails = parseFailureDetails(err.message);
  if (failureDetails) {
    return { message: failureDetails.errorMessage, name: failureDetails.errorType, stack: err.stack, failureDetails };
  }
  return { message: err.message, name: err.name, stack: err.stack };
}

function parseFailureDetails(message: string): FailureDetailsPayload | undefined {
  if (!message.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(message) as Partial<FailureDetailsPayload> | null;
    return value && typeof value.errorType === 'string' && typeof value.errorMessage === 'string'
      ? (value as FailureDetailsPayload)
      : undefined;
  } catch {
    return undefined;
  }
}

function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
