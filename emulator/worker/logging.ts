/**
 * Log forwarding. Invocations run concurrently, so the function a log line belongs to is tracked with
 * AsyncLocalStorage: console output, `context.log` and library system logs are all attributed to the
 * invocation whose async chain produced them, then sent to the host as `log` messages.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';
import type { WorkerMessage } from '../protocol/worker';
import type { AppInvocationContext, HookCallback, HookData, LogFn, RpcLogLevel } from './coreTypes';

export interface InvocationScope {
  functionName: string;
  invocationId: string;
  /** Per-invocation data shared by its pre/post invocation and log hooks. */
  hookData: HookData;
  /** The app-facing InvocationContext, known once the programming model has built it. */
  invocationContext?: AppInvocationContext;
}

export const invocationScope = new AsyncLocalStorage<InvocationScope>();

export function currentFunctionName(): string | undefined {
  return invocationScope.getStore()?.functionName;
}

/**
 * Builds the single log entry point: runs the app's `log` hooks (which may rewrite user logs, as in the
 * real worker) and sends the result. Hooks are synchronous; a log written from inside a hook is sent
 * without re-running the hooks so a hook that logs cannot recurse forever.
 */
export function createLogger(
  send: (message: WorkerMessage) => void,
  logHooks: () => HookCallback[],
  appHookData: () => HookData,
): LogFn {
  let inHook = false;
  return (level, category, message) => {
    const scope = invocationScope.getStore();
    let finalLevel: RpcLogLevel = level;
    let finalMessage = message;
    const hooks = logHooks();
    if (hooks.length > 0 && !inHook) {
      const hookContext = {
        level,
        message,
        category,
        hookData: scope?.hookData ?? {},
        appHookData: appHookData(),
        invocationContext: scope?.invocationContext,
      };
      inHook = true;
      try {
        for (const hook of hooks) {
          hook(hookContext);
        }
        if (category === 'user') {
          finalLevel = hookContext.level;
          finalMessage = hookContext.message;
        }
      } catch {
        // A failing hook must not suppress the log line itself.
      } finally {
        inHook = false;
      }
    }
    if (finalLevel === 'none') {
      return;
    }
    send({
      type: 'log',
      level: finalLevel,
      message: finalMessage,
      functionName: scope?.functionName,
      invocationId: scope?.invocationId,
    });
  };
}

const CONSOLE_LEVELS: Record<'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace', RpcLogLevel> = {
  log: 'information',
  info: 'information',
  warn: 'warning',
  error: 'error',
  debug: 'debug',
  trace: 'trace',
};

/** Sends the app's console output to the host instead of the worker's stdout. */
export function patchConsole(log: LogFn): void {
  for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
    (console as unknown as Record<string, (...args: unknown[]) => void>)[method] = (...args: unknown[]) =>
      log(level, 'user', format(...args));
  }
}
