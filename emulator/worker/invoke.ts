/**
 * One invocation of a registered function, step for step as the Azure Functions Node worker runs it
 * (reference §1 "Invoking a function"): core context → programming model's InvocationModel →
 * getArguments → preInvocation hooks → invokeFunction → postInvocation hooks. The per-kind adapters
 * decide what to do with the raw result (orchestrators need the object before serialization).
 */
import { randomUUID } from 'node:crypto';
import type { FunctionsCore, RegisteredFunction } from './core';
import type {
  AppInvocationContext,
  CoreInvocationContext,
  HookCallback,
  InvocationModel,
  InvocationState,
  LogFn,
  RpcParameterBinding,
} from './coreTypes';
import { invocationScope, type InvocationScope } from './logging';

export interface InvocationRun {
  model: InvocationModel;
  context: AppInvocationContext;
  result: unknown;
  /** What the function threw, unless a postInvocation hook cleared it. */
  error: unknown;
  failed: boolean;
}

/** `onUserCode(true)` right before the function is called, `onUserCode(false)` once its synchronous part returned. */
export async function runFunction(
  core: FunctionsCore,
  fn: RegisteredFunction,
  inputData: RpcParameterBinding[],
  log: LogFn,
  onUserCode?: (running: boolean) => void,
): Promise<InvocationRun> {
  const programmingModel = core.programmingModel;
  if (!programmingModel) {
    throw new Error('The app registered functions without a programming model (is @azure/functions v4 installed?).');
  }
  const name = fn.metadata.name;
  const invocationId = randomUUID();
  const scope: InvocationScope = { functionName: name, invocationId, hookData: {} };
  return invocationScope.run(scope, async () => {
    const coreCtx: CoreInvocationContext = {
      invocationId,
      request: { invocationId, functionId: name, inputData, triggerMetadata: {} },
      metadata: { ...fn.metadata, functionId: name },
      log,
    };
    const model = await programmingModel.getInvocationModel(coreCtx);
    const { context, inputs } = await model.getArguments();
    scope.invocationContext = context;

    const preContext = {
      hookData: scope.hookData,
      appHookData: core.appHookData,
      invocationContext: context,
      inputs,
      functionCallback: fn.callback,
    };
    await runHooks(core.hooks.preInvocation, preContext, coreCtx, 'preInvocationHooks');

    const postContext = {
      hookData: scope.hookData,
      appHookData: core.appHookData,
      invocationContext: context,
      inputs: preContext.inputs,
      result: null as unknown,
      error: null as unknown,
    };
    coreCtx.state = 'invocation';
    try {
      onUserCode?.(true);
      let call: Promise<unknown>;
      try {
        call = model.invokeFunction(context, preContext.inputs, preContext.functionCallback);
      } finally {
        onUserCode?.(false);
      }
      postContext.result = await call;
    } catch (err) {
      postContext.error = err;
    } finally {
      coreCtx.state = undefined;
    }
    await runHooks(core.hooks.postInvocation, postContext, coreCtx, 'postInvocationHooks');

    const failed = postContext.error !== null && postContext.error !== undefined;
    return { model, context, result: postContext.result, error: postContext.error, failed };
  });
}

/**
 * Runs hooks in registration order, awaiting each. The library's hook wrappers write changes
 * (`inputs`, `functionHandler`, `result`, `error`) back onto `hookContext`, which is how they take effect.
 */
export async function runHooks(
  hooks: HookCallback[],
  hookContext: object,
  coreCtx?: CoreInvocationContext,
  state?: InvocationState,
): Promise<void> {
  if (coreCtx) coreCtx.state = state;
  try {
    for (const hook of [...hooks]) {
      await hook(hookContext);
    }
  } finally {
    if (coreCtx) coreCtx.state = undefined;
  }
}
