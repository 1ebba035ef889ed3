/**
 * Host ↔ worker protocol. Plain JSON messages, transport-neutral: today they travel over the
 * Node IPC channel (`serialization: 'json'`) of a forked process; a worker in another language could
 * speak them over stdio or a socket. Documented in docs/worker-protocol.md.
 */
import type { HistoryEvent, OrchestratorResult } from './durable';

/** Sent in `ready`; the host does not check it yet. */
export const WORKER_PROTOCOL_VERSION = 1;

export type FunctionKind = 'orchestrator' | 'activity' | 'entity' | 'http' | 'other';

/** One registered function, as the worker reports it in `ready`. */
export interface FunctionInfo {
  name: string;
  /** From the trigger binding's type; 'entity' and 'other' functions are listed but never invoked. */
  kind: FunctionKind;
  /** The trigger binding's type as registered, e.g. "orchestrationTrigger", "httpTrigger", "timerTrigger". */
  triggerType: string;
  /**
   * httpTrigger only: the route template relative to the route prefix (host.json
   * extensions.http.routePrefix, default "api"), leading slashes removed; defaults to the function name.
   */
  route?: string;
  /** httpTrigger only: upper-case methods; empty means all. */
  methods?: string[];
  /** httpTrigger only, when set: reported but not enforced by the emulator. */
  authLevel?: string;
  /** True when the function has a durableClient (or legacy orchestrationClient) input binding. */
  usesDurableClient?: boolean;
}

/** What every invocation carries. */
interface InvocationBase {
  /**
   * The host's id for this invocation: the function's `context.invocationId`, and the `Id` of the host's
   * Executing/Executed log lines. For an app that streams HTTP (`ready.httpUri`), the host also sends the
   * request, body included, to httpUri with it in `x-ms-invocation-id`; the response comes back on that connection.
   */
  invocationId: string;
}

export interface OrchestratorInvocation extends InvocationBase {
  kind: 'orchestrator';
  functionName: string;
  instanceId: string;
  executionId: string;
  parentInstanceId: string | null;
  /**
   * 0: `history` is the execution's whole history. n > 0: `history` holds only the events from index n
   * on, and the worker must already have cached exactly the first n events of this executionId;
   * otherwise it answers NeedHistory and the host resends everything with historyBase 0.
   */
  historyBase: number;
  history: HistoryEvent[];
  /**
   * Descriptions (protocol/actions.ts) of the actions the host has processed, from index `recordedBase`
   * on, cached beside the history (with historyBase 0, all of them). The worker checks replayed actions
   * against them and returns only the actions past them, so the host's work per episode does not grow
   * with the number of actions. Absent: the worker returns every action unchecked.
   */
  recordedBase?: number;
  recorded?: string[];
}

export interface ActivityInvocation extends InvocationBase {
  kind: 'activity';
  functionName: string;
  instanceId: string;
  taskId: number;
  /** JSON text of the activity's input (as recorded in TaskScheduled.Input), or null for none. */
  input: string | null;
}

export interface HttpRequestData {
  method: string;
  /** Absolute URL rebuilt from the request: `http://` + its Host header + path and query. */
  url: string;
  /** Lower-case names; a repeated header's values joined with ", ". */
  headers: Record<string, string>;
  /** Query parameters; the last value wins for a repeated name. */
  query: Record<string, string>;
  /** Route parameters matched from the function's route template (URL-decoded). */
  params: Record<string, string>;
  /** Request body, base64; omitted for a streamed invocation, whose body travels over the app's HTTP proxy. */
  body?: string;
}

export interface HttpInvocation extends InvocationBase {
  kind: 'http';
  functionName: string;
  request: HttpRequestData;
  /**
   * Binding data for the function's durableClient inputs (reference §5); present only when
   * FunctionInfo.usesDurableClient. Its URLs are on the host's internal loopback origin
   * (http://127.0.0.1:<port>), not the request's; createCheckStatusResponse rewrites them to the
   * request's origin itself.
   */
  durableClient?: unknown;
}

export type Invocation = OrchestratorInvocation | ActivityInvocation | HttpInvocation;

/** An invocation before it is sent: the sender gives it its id unless the caller chose one. */
export type InvocationDraft = Drafted<Invocation>;
type Drafted<T> = T extends Invocation ? Omit<T, 'invocationId'> & { invocationId?: string } : never;

export interface HttpResponseData {
  status: number;
  /** As the function set them; cookies arrive as a `set-cookie` string[]. The host drops Content-Length / Transfer-Encoding. */
  headers: Record<string, string | string[]>;
  /** Response body, base64. */
  body: string;
}

/**
 * A streamed invocation's answer when the function's HTTP response went over the app's HTTP proxy (it has
 * been written in full by then). A streamed invocation whose function gave no HTTP output answers an
 * HttpResponseData (204) instead, and nothing comes on the proxy connection.
 */
export interface StreamedHttpResponse {
  streamed: true;
}

export interface ActivityOutcome {
  /**
   * JSON text of the return value, for TaskCompleted.Result: a string return value is JSON-encoded,
   * bytes become a base64 JSON string, and no value gives "null".
   */
  result: string;
}

/**
 * An orchestrator invocation's answer when the worker's cache does not hold the `historyBase` events the
 * host assumed; nothing ran, and the host invokes again with historyBase 0 and the whole history.
 */
export interface NeedHistory {
  needHistory: true;
}

/**
 * A successful result's value, by invocation kind: orchestrator → OrchestratorResult or NeedHistory;
 * activity → ActivityOutcome; http → HttpResponseData or StreamedHttpResponse. An orchestrator that threw still succeeds here:
 * its OrchestratorResult carries `error`, whose `failureDetails` (when the exception was a library
 * TaskFailedError) is the library's PascalCase FailureDetails payload
 * ({ErrorType, ErrorMessage, StackTrace, IsNonRetriable, Properties?, InnerFailure?}).
 */
export type InvocationValue = OrchestratorResult | ActivityOutcome | HttpResponseData | StreamedHttpResponse | NeedHistory;

/** Why an invocation failed (result with ok: false): what the function threw, or why the worker could not run it. */
export interface WorkerError {
  /** The error's message (a thrown non-Error is given as its string or JSON form). */
  message: string;
  name?: string;
  stack?: string;
  /**
   * Set when the app registered df.app.setExceptionPropertiesProvider and the provider returned
   * properties: durable-functions then replaces an activity error's message with JSON text, which the
   * worker parses. This is that parsed camelCase object
   * ({errorType, errorMessage, isNonRetriable, properties, stackTrace?}), not JSON text; `message` and
   * `name` are restored from its errorMessage and errorType.
   */
  failureDetails?: unknown;
}

// host → worker
export type HostMessage =
  /** Run one function; answered by exactly one `result` with the same id. Invocations run concurrently. */
  | { type: 'invoke'; id: number; invocation: Invocation }
  /** Drop the instance's cached history (it finished, continued as new or was rewound). */
  | { type: 'forget'; instanceId: string }
  /** Run the appTerminate hooks, flush pending messages and exit 0. */
  | { type: 'shutdown' };

/** Several messages in one write: each side batches what it sends within one event-loop turn (never nested). */
export interface Batch<T> {
  type: 'batch';
  messages: T[];
}

/** One write for `messages` (at least one): the message itself when it is alone. */
export function batch<T>(messages: T[]): T | Batch<T> {
  return messages.length === 1 ? messages[0] : { type: 'batch', messages };
}

/** The messages one write carries. */
export function unbatch<T extends { type: string }>(message: T | Batch<T>): T[] {
  return message.type === 'batch' ? (message as Batch<T>).messages : [message as T];
}

export type HostToWorker = HostMessage | Batch<HostMessage>;

// worker → host
export type WorkerMessage =
  /**
   * Once, after the app's files loaded, its appStart hooks ran and its programming model gave its
   * capabilities. httpUri: the app enabled HTTP streaming (`app.setup({ enableHttpStream: true })`) and
   * @azure/functions listens there for the HTTP requests of its HTTP functions (see HttpInvocation.invocationId).
   */
  | { type: 'ready'; version: number; functions: FunctionInfo[]; warnings: string[]; httpUri?: string }
  /** Instead of `ready` when the app cannot load; `file` is the entry point at fault, when known. */
  | { type: 'loadError'; message: string; file?: string; stack?: string }
  | { type: 'result'; id: number; ok: true; value: InvocationValue }
  | { type: 'result'; id: number; ok: false; error: WorkerError }
  /** functionName/invocationId: the invocation whose async chain logged it, when there is one. */
  | { type: 'log'; level: LogLevel; message: string; functionName?: string; invocationId?: string };

export type WorkerToHost = WorkerMessage | Batch<WorkerMessage>;

export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical';

/** Environment variable names of the worker process. The host sets appDir (the worker falls back to its cwd). */
export const WORKER_ENV = {
  appDir: 'DURABLE_EMULATOR_APP_DIR',
  /** A pipe on which the worker writes `b<id>` / `e<id>` lines around an orchestrator's user code (see episodeMarks.ts). */
  marksFd: 'DURABLE_EMULATOR_MARKS_FD',
} as const;
