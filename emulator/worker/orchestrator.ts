/**
 * Orchestrator episodes (reference §2): the trigger payload the Durable extension would send, and the
 * library's OrchestratorState turned into an OrchestratorResult. Actions are flattened out of
 * WhenAll/WhenAny and de-duplicated by object identity, which only the live objects allow: a task
 * awaited again in a later Task.any (a timer reused across loop iterations) sits in several compound
 * actions as the same object but owns one sequence id.
 */
import { ActionType, EventType, type HistoryEvent, type OrchestratorAction, type OrchestratorResult } from '../protocol/durable';
import { MAX_ACTIONS_PER_EXECUTION, MAX_RESULT_CHARS } from '../protocol/limits';
import type { NeedHistory, OrchestratorInvocation } from '../protocol/worker';
import type { FunctionsCore, RegisteredFunction } from './core';
import type { AppInvocationContext, LogFn } from './coreTypes';
import { triggerBinding } from './functions';
import type { HistoryCache } from './historyCache';
import { runFunction, type InvocationRun } from './invoke';
import { againstRecorded } from './recordedActions';

/** OrchestrationFailureError puts the serialized state after this marker in its message. */
const OUT_OF_PROC_MARKER = '$OutOfProcData$:';

/** The parts of durable-functions' OrchestratorState the result is built from. */
interface LibraryState {
  isDone: boolean;
  actions: unknown[];
  output?: unknown;
  customStatus?: unknown;
  error?: string;
  failureDetails?: unknown;
}

/** durable-functions' TaskOrchestrationExecutor, reachable as `context.df.taskOrchestratorExecutor`. */
interface LibraryExecutor {
  actions: unknown[];
  exception?: unknown;
}

export async function runOrchestrator(
  core: FunctionsCore,
  fn: RegisteredFunction,
  invocation: OrchestratorInvocation,
  cache: HistoryCache,
  log: LogFn,
  onUserCode?: (running: boolean) => void,
): Promise<OrchestratorResult | NeedHistory> {
  const cached = cache.assemble(invocation);
  if (!cached) {
    return { needHistory: true };
  }
  const { history } = cached;
  const payload = {
    history,
    input: executionInput(history),
    instanceId: invocation.instanceId,
    isReplaying: false,
    parentInstanceId: invocation.parentInstanceId,
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 3,
    longRunningTimerIntervalDuration: '3.00:00:00',
    maximumShortTimerDuration: '6.00:00:00',
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
  const { key } = triggerBinding(fn.metadata);
  const run = await runFunction(
    core,
    fn,
    { inputData: [{ name: key, data: { string: JSON.stringify(payload) } }], invocationId: invocation.invocationId },
    log,
    onUserCode,
  );
  const result = run.failed ? failedEpisode(run) : completedEpisode(run.result, fn.metadata.name);
  // Compared while still the library's objects: only the new actions are serialised for the host.
  return toJson(invocation.recorded ? againstRecorded(result, cached.recorded) : result);
}

function executionInput(history: HistoryEvent[]): unknown {
  const started = history.find((e) => e.EventType === EventType.ExecutionStarted);
  return started?.Input === null || started?.Input === undefined ? undefined : JSON.parse(started.Input);
}

function completedEpisode(result: unknown, name: string): OrchestratorResult {
  if (!isLibraryState(result)) {
    throw new Error(
      `Orchestrator "${name}" did not return a durable-functions orchestrator state; register orchestrators with df.app.orchestration().`,
    );
  }
  return {
    isDone: result.isDone,
    actions: flattenActions(result.actions, true),
    output: result.output,
    customStatus: result.customStatus,
  };
}

/**
 * A throwing orchestrator rejects with OrchestrationFailureError carrying the state as JSON. The live
 * actions and the original exception are still on the executor the library attached to the context;
 * the JSON is the fallback, where identity (and so de-duplication) is lost.
 */
function failedEpisode(run: InvocationRun): OrchestratorResult {
  const message = run.error instanceof Error ? run.error.message : String(run.error);
  const at = message.indexOf(OUT_OF_PROC_MARKER);
  if (at < 0) {
    throw run.error;
  }
  const state = JSON.parse(message.slice(at + OUT_OF_PROC_MARKER.length)) as LibraryState;
  const executor = executorOf(run.context);
  const exception = executor?.exception;
  return {
    isDone: false,
    actions: executor ? flattenActions(executor.actions, true) : flattenActions(state.actions, false),
    customStatus: state.customStatus,
    error: {
      message: state.error ?? String(exception ?? 'The orchestrator failed.'),
      stack: exception instanceof Error ? exception.stack : undefined,
      failureDetails: state.failureDetails,
    },
  };
}

/** Depth-first, in the order the library assigns sequence ids; compound actions themselves take none. */
export function flattenActions(actions: unknown[], dedupeByIdentity: boolean): OrchestratorAction[] {
  const flat: OrchestratorAction[] = [];
  const seen = new Set<object>();
  const visit = (list: unknown[]): void => {
    for (const action of list) {
      if (Array.isArray(action)) {
        visit(action); // the state's outer [[...]] grouping
      } else if (isCompound(action)) {
        visit(action.compoundActions);
      } else if (action !== null && typeof action === 'object' && !(dedupeByIdentity && seen.has(action))) {
        seen.add(action);
        flat.push(action as OrchestratorAction);
      }
    }
  };
  visit(actions);
  return flat;
}

function isCompound(action: unknown): action is { compoundActions: unknown[] } {
  const a = action as { actionType?: unknown; compoundActions?: unknown } | null;
  return (
    a !== null &&
    typeof a === 'object' &&
    (a.actionType === ActionType.WhenAll || a.actionType === ActionType.WhenAny) &&
    Array.isArray(a.compoundActions)
  );
}

function isLibraryState(value: unknown): value is LibraryState {
  const v = value as Partial<LibraryState> | null;
  return v !== null && typeof v === 'object' && typeof v.isDone === 'boolean' && Array.isArray(v.actions);
}

function executorOf(context: AppInvocationContext): LibraryExecutor | undefined {
  const executor = (context as { df?: { taskOrchestratorExecutor?: Partial<LibraryExecutor> } }).df
    ?.taskOrchestratorExecutor;
  return executor && Array.isArray(executor.actions) ? (executor as LibraryExecutor) : undefined;
}

/**
 * The value as the host will see it: Dates as ISO strings, class instances as plain objects. A result
 * past the limits (protocol/limits.ts) fails the episode here, before it crosses to the host.
 */
function toJson(value: OrchestratorResult): OrchestratorResult {
  const total = (value.actionsFrom ?? 0) + value.actions.length;
  if (total > MAX_ACTIONS_PER_EXECUTION) {
    throw new Error(`The orchestration has scheduled ${total} actions; one execution may schedule at most ${MAX_ACTIONS_PER_EXECUTION}.`);
  }
  const text = JSON.stringify(value);
  if (text.length > MAX_RESULT_CHARS) {
    throw new Error(`The orchestrator's episode produced ${text.length} characters of JSON (action inputs, output, custom status); at most ${MAX_RESULT_CHARS} are allowed.`);
  }
  return JSON.parse(text) as OrchestratorResult;
}
