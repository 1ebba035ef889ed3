/**
 * One pair of lines per function execution, worded as the Functions host (and so Core Tools) writes
 * them: "Executing 'Functions.X' (Reason='...', Id=...)" when the invocation is sent to the worker and
 * "Executed 'Functions.X' (Succeeded|Failed, Id=..., Duration=...ms)" when it settles, followed on
 * failure by the exception as Core Tools prints it. The Id is the invocation's id, which the function
 * sees as `context.invocationId`. Category `Function.<name>`, like the host's.
 */
import type { OrchestratorResult } from '../../protocol/durable';
import type { Invocation, InvocationValue } from '../../protocol/worker';
import type { Logger } from '../logger';

/** The trigger reasons the host reports: the Durable triggers give none, HTTP requests come through the host's API. */
const REASONS: Record<Invocation['kind'], string> = {
  orchestrator: '(null)',
  activity: '(null)',
  http: 'This function was programmatically called via the host APIs.',
};

/** Called when an invocation settles: with its value, or with the error it was rejected with. */
export type InvocationSettled = (value: InvocationValue | undefined, error?: unknown) => void;

export class ExecutionLog {
  constructor(private readonly logger: Logger) {}

  /** Logs "Executing" and returns what logs "Executed"; undefined when `Function.<name>` is filtered out. */
  started(invocation: Invocation): InvocationSettled | undefined {
    const name = invocation.functionName;
    const category = `Function.${name}`;
    if (!this.logger.enabled('error', category)) return undefined;
    const id = invocation.invocationId;
    const began = performance.now();
    this.logger.log('information', name, `Executing 'Functions.${name}' (Reason='${REASONS[invocation.kind]}', Id=${id})`, category);
    return (value, error) => {
      const failure = error ?? (value as OrchestratorResult | undefined)?.error;
      const status = failure ? 'Failed' : 'Succeeded';
      const duration = Math.round(performance.now() - began);
      this.logger.log(failure ? 'error' : 'information', name, `Executed 'Functions.${name}' (${status}, Id=${id}, Duration=${duration}ms)`, category);
      if (failure) this.logger.log('error', name, describeFailure(name, failure), category);
    };
  }
}

/** As Core Tools prints a failed Node.js invocation (without the .NET assembly prefixes). */
function describeFailure(name: string, failure: unknown): string {
  const { message, stack } =
    typeof failure === 'object' && failure !== null ? (failure as { message?: unknown; stack?: unknown }) : { message: failure, stack: undefined };
  const lines = [`Exception while executing function: Functions.${name}. Result: Failure`, `Exception: ${String(message)}`];
  if (typeof stack === 'string' && stack) lines.push(`Stack: ${stack}`);
  return lines.join('\n');
}
