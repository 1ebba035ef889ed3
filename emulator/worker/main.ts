/**
 * Entry point of the app worker process (out/emulator/worker/main.js). The host forks it with the app
 * folder as cwd and the app's settings in its environment; it installs the functions-core stand-in,
 * loads the unmodified app, reports its functions, then runs invocations concurrently on request.
 * User code may throw, hang or exit here: the host, which owns all state, notices and restarts us.
 */
import { inspect } from 'node:util';
import {
  WORKER_ENV,
  WORKER_PROTOCOL_VERSION,
  type FunctionInfo,
  type HostMessage,
  type Invocation,
  type InvocationValue,
} from '../protocol/worker';
import { runActivity } from './activity';
import { flushToHost, onHostMessage, sendToHost } from './channel';
import { FunctionsCore, installCoreModule } from './core';
import { markEpisode } from './episodeMarks';
import { toWorkerError } from './errors';
import { describeFunction, startupWarnings } from './functions';
import { HistoryCache } from './historyCache';
import { runHttp } from './http';
import { hookContext, runHooks } from './invoke';
import { AppLoadError, loadApp } from './loader';
import { createLogger, currentFunctionName, patchConsole } from './logging';
import { runOrchestrator } from './orchestrator';

if (!process.send) {
  process.stderr.write('The app worker must be started by the emulator host (child_process.fork with an IPC channel).\n');
  process.exit(1);
}

const appDir = process.env[WORKER_ENV.appDir] || process.cwd();
const log = createLogger(sendToHost, () => core.hooks.log, () => core.appHookData);
const core = new FunctionsCore(log);
const historyCache = new HistoryCache();
const functionInfos = new Map<string, FunctionInfo>();
/** Where @azure/functions listens for HTTP requests when the app streams HTTP. */
let httpUri: string | undefined;

installCoreModule(core.createApi());
patchConsole(log);
// A stray error in user code must not take down the other invocations in flight.
process.on('uncaughtException', (err) => reportStrayError('Uncaught exception', err));
process.on('unhandledRejection', (reason) => reportStrayError('Unhandled promise rejection', reason));
// The host is gone: nobody will ever read our answers.
process.on('disconnect', () => process.exit(0));

const started = startApp();

onHostMessage((message: HostMessage) => {
  switch (message.type) {
    case 'invoke':
      void answerInvocation(message.id, message.invocation);
      break;
    case 'forget':
      historyCache.forget(message.instanceId);
      break;
    case 'shutdown':
      void shutdown();
      break;
    default:
      log('warning', 'system', `Ignoring an unknown host message: ${inspect(message)}`);
  }
});

/** Loads the app and runs its appStart hooks; answers `ready` or `loadError`. Resolves to success. */
async function startApp(): Promise<boolean> {
  try {
    await loadApp(appDir);
    core.finishStartup();
    for (const { metadata } of core.functions.values()) {
      functionInfos.set(metadata.name, describeFunction(metadata));
    }
    await runAppStartHooks();
    httpUri = (await core.capabilities()).HttpUri;
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    sendToHost({
      type: 'loadError',
      message: error.message,
      file: error instanceof AppLoadError ? error.file : undefined,
      stack: error instanceof AppLoadError ? error.causeStack ?? error.stack : error.stack,
    });
    return false;
  }
  const functions = [...functionInfos.values()];
  sendToHost({
    type: 'ready',
    version: WORKER_PROTOCOL_VERSION,
    functions,
    warnings: startupWarnings(functions, core.programmingModelVersions),
    httpUri,
  });
  return true;
}

async function runAppStartHooks(): Promise<void> {
  try {
    await runHooks(core.hooks.appStart, appHookContext({ functionAppDirectory: appDir }));
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    throw new AppLoadError(`An appStart hook failed: ${error.message}`, undefined, error.stack);
  }
}

/** appStart / appTerminate context: app-level-only hookData and the app's shared appHookData, read-only. */
function appHookContext<W extends object>(writable: W): object {
  return hookContext({ hookData: core.appLevelOnlyHookData, appHookData: core.appHookData }, writable);
}

async function answerInvocation(id: number, invocation: Invocation): Promise<void> {
  try {
    const value = await invoke(id, invocation);
    sendToHost({ type: 'result', id, ok: true, value });
  } catch (err) {
    sendToHost({ type: 'result', id, ok: false, error: toWorkerError(err) });
  }
}

async function invoke(id: number, invocation: Invocation): Promise<InvocationValue> {
  if (!(await started)) {
    throw new Error('The app failed to load; the worker cannot run functions until it is restarted.');
  }
  const name = invocation.functionName;
  const fn = core.functions.get(name);
  const info = functionInfos.get(name);
  if (!fn || !info) {
    throw new Error(`The app has no function named "${name}".`);
  }
  if (info.kind !== invocation.kind) {
    throw new Error(`Function "${name}" is of kind "${info.kind}" (${info.triggerType}), not "${invocation.kind}".`);
  }
  switch (invocation.kind) {
    case 'orchestrator':
      return runOrchestrator(core, fn, invocation, historyCache, log, (running) => markEpisode(id, running));
    case 'activity':
      return runActivity(core, fn, invocation, log);
    case 'http':
      return runHttp(core, fn, invocation, httpUri !== undefined, log);
  }
}

async function shutdown(): Promise<void> {
  try {
    await runHooks(core.hooks.appTerminate, appHookContext({}));
  } catch (err) {
    log('error', 'system', `An appTerminate hook failed: ${inspect(err)}`);
  }
  await flushToHost();
  process.exit(0);
}

function reportStrayError(what: string, err: unknown): void {
  const functionName = currentFunctionName();
  const where = functionName ? ` in function "${functionName}"` : '';
  const detail = err instanceof Error ? err.stack ?? err.message : inspect(err);
  log('error', 'system', `${what}${where}: ${detail}`);
}
