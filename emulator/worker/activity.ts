/**
 * Activity invocations (reference §4): the input goes in as the JSON text the host recorded, the
 * return value comes back as JSON text for TaskCompleted.Result; a throw fails the invocation.
 */
import { MAX_RESULT_CHARS } from '../protocol/limits';
import type { ActivityInvocation, ActivityOutcome } from '../protocol/worker';
import type { FunctionsCore, RegisteredFunction } from './core';
import type { LogFn } from './coreTypes';
import { triggerBinding } from './functions';
import { runFunction } from './invoke';
import { typedDataToJson } from './typedData';

export async function runActivity(
  core: FunctionsCore,
  fn: RegisteredFunction,
  invocation: ActivityInvocation,
  log: LogFn,
): Promise<ActivityOutcome> {
  const { key } = triggerBinding(fn.metadata);
  const data = invocation.input === null ? undefined : { string: invocation.input };
  const run = await runFunction(core, fn, { inputData: [{ name: key, data }], invocationId: invocation.invocationId }, log);
  if (run.failed) {
    throw run.error;
  }
  const response = await run.model.getResponse(run.context, run.result);
  const result = typedDataToJson(response.returnValue);
  if (result.length > MAX_RESULT_CHARS) {
    throw new Error(`The activity returned ${result.length} characters of JSON; at most ${MAX_RESULT_CHARS} are allowed.`);
  }
  return { result };
}
