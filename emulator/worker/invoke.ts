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
  RpcTypedData,
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

export interface InvocationRequest {
  inputData: RpcParameterBinding[];
  triggerMetadata?: Record<string, RpcTypedData>;
  /** The host's id for this invocation (the function's context.invocationId); a fresh UUID when the host gave none. */
  invocationId?: string;
}

/** `onUserCode(true)` right before the function is called, `onUserCode(false)` once its synchronous part returned. */
export async function runFunction(
  core: FunctionsCore,
  fn: RegisteredFunction,
  request: InvocationRequest,
  log: LogFn,
  onUserCode?: (running: boolean) => void,
): Promise<InvocationRun> {
  const programmingModel = core.programmingModel;
  if (!programmingModel) {
    throw new Error('The app registered functions without a programming model (is @azure/functions v4 installed?).');
  }
  const name = fn.metadata.name;
  const invocationId = request.invocationId ?? randomUUID();
  const scope: InvocationScope = { functionName: name, invocationId, hookData: {} };
  return invocationScope.run(scope, async () => {
    const coreCtx: CoreInvocationContext = {
      invocationId,
      request: { invocationId, functionId: name, inputData: request.inputData, triggerMetadata: request.triggerMetadata ?? {} },
      metadata: { ...fn.metadata, functionId: name },
      log,
    };
    const model = await programmingModel.getInvocationModel(coreCtx);
    const { context, inputs } = await model.getArguments();
    scope.invocationContext = context;

    const shared = { hookData: scope.hookData, appHookData: core.appHookData, invocationContext: context };
    const preContext = hookContext(shared, { inputs, functionCallback: fn.callback });
    await runHooks(core.hooks.preInvocation, preContext, coreCtx, 'preInvocationHooks');

    const postContext = hookContext(shared, { inputs: preContext.inputs, result: null as unknown, error: null as unknown });
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
 * A hook context as the Node worker builds it: `readOnly` properties throw when assigned (the worker's
 * ReadOnlyError), the others are what hooks may change (`inputs`, `functionCallback`, `result`, `error`).
 */
export function hookContext<R extends object, W extends object>(readOnly: R, writable: W): R & W {
  const context = { ...writable } as R & W;
  for (const [key, value] of Object.entries(readOnly)) {
    Object.defineProperty(context, key, {
      enumerable: true,
      get: () => value as unknown,
      set: () => {
        throw new TypeError(`Cannot assign to read only property '${key}'`); // the worker's ReadOnlyError
      },
    });
  }
  return context;
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
