/**
 * Host ↔ worker protocol. Plain JSON messages, transport-neutral: today they travel over the
 * Node IPC channel of a forked process; a worker in another language could speak them over a socket.
 * Documented in docs/worker-protocol.md.
 */
import type { HistoryEvent, OrchestratorResult } from './durable';

export const WORKER_PROTOCOL_VERSION = 1;

export type FunctionKind = 'orchestrator' | 'activity' | 'entity' | 'http' | 'other';

export interface FunctionInfo {
  name: string;
  kind: FunctionKind;
  /** The trigger binding's type as registered, e.g. "orchestrationTrigger", "httpTrigger". */
  triggerType: string;
  /** httpTrigger only: the route template without the /api prefix (defaults to the function name). */
  route?: string;
  /** httpTrigger only: upper-case methods; empty means all. */
  methods?: string[];
  authLevel?: string;
  /** True when the function has a durableClient input binding. */
  usesDurableClient?: boolean;
}

export interface OrchestratorInvocation {
  kind: 'orchestrator';
  functionName: string;
  instanceId: string;
  executionId: string;
  parentInstanceId: string | null;
  /** History events from index `historyBase` on; the worker keeps earlier ones cached per execution. */
  historyBase: number;
  history: HistoryEvent[];
}

export interface ActivityInvocation {
  kind: 'activity';
  functionName: string;
  instanceId: string;
  taskId: number;
  /** JSON text of the activity's input (as recorded in TaskScheduled.Input). */
  input: string | null;
}

export interface HttpRequestData {
  method: string;
  /** Absolute URL as the client sent it. */
  url: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  params: Record<string, string>;
  /** Request body, base64. */
  body: string;
}

export interface HttpInvocation {
  kind: 'http';
  functionName: string;
  request: HttpRequestData;
  /** Binding data for durableClient inputs (reference §5), URLs on the request's origin. */
  durableClient?: unknown;
}

export type Invocation = OrchestratorInvocation | ActivityInvocation | HttpInvocation;

export interface HttpResponseData {
  status: number;
  headers: Record<string, string | string[]>;
  /** Response body, base64. */
  body: string;
}

export interface ActivityOutcome {
  /** JSON text of the return value; "null" for undefined. */
  result: string;
}

/** The worker asks for the whole history when its cache does not hold the prefix the host assumed. */
export interface NeedHistory {
  needHistory: true;
}

export type InvocationValue = OrchestratorResult | ActivityOutcome | HttpResponseData | NeedHistory;

export interface WorkerError {
  message: string;
  name?: string;
  stack?: string;
  /** JSON text of the library's FailureDetails payload when it supplied one. */
  failureDetails?: unknown;
}

// host → worker
export type HostToWorker =
  | { type: 'invoke'; id: number; invocation: Invocation }
  | { type: 'forget'; instanceId: string }
  | { type: 'shutdown' };

// worker → host
export type WorkerToHost =
  | { type: 'ready'; version: number; functions: FunctionInfo[]; warnings: string[] }
  | { type: 'loadError'; message: string; file?: string; stack?: string }
  | { type: 'result'; id: number; ok: true; value: InvocationValue }
  | { type: 'result'; id: number; ok: false; error: WorkerError }
  | { type: 'log'; level: LogLevel; message: string; functionName?: string; invocationId?: string };

export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical';

/** Environment variables the host sets for the worker process. */
export const WORKER_ENV = {
  appDir: 'DURABLE_EMULATOR_APP_DIR',
  hubName: 'DURABLE_EMULATOR_HUB',
} as const;
