/**
 * Extension ↔ emulator control protocol over a WebSocket on the emulator's HTTP port.
 * Versioned JSON messages: requests with ids and their responses, and pushed notifications.
 * The only module the extension imports from the emulator. Documented in docs/protocol.md.
 */
import type { HistoryEvent, RuntimeStatus } from './durable';
import type { FunctionInfo, LogLevel } from './worker';

export const CONTROL_PROTOCOL_VERSION = 1;
/** Path of the WebSocket endpoint; the token goes in the `token` query parameter or an `Authorization: Bearer` header. */
export const CONTROL_PATH = '/runtime/emulator/control';
/** Largest message the host accepts from a client. */
export const MAX_CONTROL_MESSAGE_BYTES = 4 * 1024 * 1024;

export interface InstanceFilter {
  runtimeStatus?: RuntimeStatus[];
  /** Orchestrator name, exact. */
  name?: string;
  instanceIdPrefix?: string;
  /** ISO times, inclusive. */
  createdFrom?: string;
  createdTo?: string;
}

export type InstanceOrder = 'createdTime' | 'lastUpdatedTime' | 'instanceId' | 'name';

export interface FailureInfo {
  type: string;
  message: string;
  stack?: string;
}

/** What the tree shows of an instance; payloads are previews (at most ~1 KB of JSON text each). */
export interface InstanceSummary {
  instanceId: string;
  executionId: string;
  name: string;
  runtimeStatus: RuntimeStatus;
  /** ISO times. */
  createdTime: string;
  lastUpdatedTime: string;
  completedTime: string | null;
  parentInstanceId: string | null;
  inputPreview: string | null;
  outputPreview: string | null;
  customStatusPreview: string | null;
  failure: FailureInfo | null;
}

/** Everything about one instance; payloads in full, parsed from JSON. */
export interface InstanceDetail extends Omit<InstanceSummary, 'inputPreview' | 'outputPreview' | 'customStatusPreview'> {
  input: unknown;
  output: unknown;
  customStatus: unknown;
  /** Executions of this instance (continue-as-new keeps the old ones), oldest first. */
  executions: Array<{ executionId: string; eventCount: number }>;
  /** External events the orchestrator waits for and has not received. */
  waitingForEvents: string[];
}

export interface HistoryPage {
  executionId: string;
  /** Index of the first event in `events` within the execution's history. */
  from: number;
  events: HistoryEvent[];
  /** Events in the execution's history in all. */
  total: number;
}

export interface EmulatorStatus {
  protocolVersion: number;
  pid: number;
  http: string;
  dataDir: string;
  startedAt: string;
  app: {
    dir: string;
    hubName: string;
    /** host.json `extensions.http.routePrefix` without slashes: the app's HTTP functions are under `/<routePrefix>/` ("" = at the root). */
    routePrefix: string;
    state: 'starting' | 'ready' | 'loadFailed' | 'stopped';
    loadError: string | null;
    workerPid: number | null;
  };
  counts: Partial<Record<RuntimeStatus, number>>;
}

export interface LogEntry {
  /** ISO time. */
  time: string;
  level: LogLevel;
  /** "host", "worker", "http", "build" or a function's name. */
  source: string;
  message: string;
}

/** Method name → [params, result]. */
export interface ControlMethods {
  status: [Record<string, never>, EmulatorStatus];
  'functions.list': [Record<string, never>, FunctionInfo[]];
  'instances.list': [
    { filter?: InstanceFilter; orderBy?: InstanceOrder; descending?: boolean; pageSize?: number; continuationToken?: string },
    { instances: InstanceSummary[]; continuationToken: string | null; total: number },
  ];
  'instances.get': [{ instanceId: string }, InstanceDetail];
  /** A page of the current (or a given) execution's history: `limit` events from `from`. */
  'instances.history': [{ instanceId: string; executionId?: string; from?: number; limit?: number }, HistoryPage];
  'instances.start': [{ name: string; input?: unknown; instanceId?: string }, InstanceSummary];
  'instances.raiseEvent': [{ instanceId: string; eventName: string; data?: unknown }, { ok: true }];
  'instances.terminate': [{ instanceId: string; reason?: string }, { ok: true }];
  'instances.suspend': [{ instanceId: string; reason?: string }, { ok: true }];
  'instances.resume': [{ instanceId: string; reason?: string }, { ok: true }];
  'instances.rewind': [{ instanceId: string; reason?: string }, { ok: true }];
  'instances.restart': [{ instanceId: string; newInstanceId?: boolean }, InstanceSummary];
  'instances.purge': [{ instanceId: string }, { deleted: number }];
  'instances.purgeWhere': [{ filter: InstanceFilter }, { deleted: number }];
  'instances.waitingEvents': [{ instanceId: string }, { eventNames: string[] }];
  /** Pushes start for these topics; `history` needs `instanceIds` (the panels open). */
  subscribe: [{ topics: Topic[]; instanceIds?: string[] }, { ok: true }];
  unsubscribe: [{ topics?: Topic[]; instanceIds?: string[] }, { ok: true }];
}

export type Method = keyof ControlMethods;
export type Params<M extends Method> = ControlMethods[M][0];
export type Result<M extends Method> = ControlMethods[M][1];

export type Topic = 'instances' | 'history' | 'logs' | 'worker';

export interface RequestMessage<M extends Method = Method> {
  type: 'request';
  id: number;
  method: M;
  params: Params<M>;
}

/** Error codes: stable strings a client can branch on; `message` is for people. */
export type ErrorCode =
  | 'badMessage'
  | 'unknownMethod'
  | 'invalidParams'
  | 'notFound'
  | 'conflict'
  | 'gone'
  | 'preconditionFailed'
  | 'unavailable'
  | 'internal';

export type ResponseMessage<M extends Method = Method> =
  | { type: 'response'; id: number; ok: true; result: Result<M> }
  | { type: 'response'; id: number | null; ok: false; error: { code: ErrorCode; message: string } };

export type PushMessage =
  /**
   * Coalesced: the latest state of every instance changed since the last push. `dropped` is set (changes
   * not sent because the client read too slowly) on one push once it has caught up: re-list to resync.
   */
  | { type: 'push'; topic: 'instances'; changed: InstanceSummary[]; removed: string[]; dropped?: number }
  /** Events appended to a subscribed instance's history; `reset` when the history was rewritten (rewind, new execution). */
  | { type: 'push'; topic: 'history'; instanceId: string; executionId: string; from: number; events: HistoryEvent[]; reset: boolean }
  | { type: 'push'; topic: 'logs'; entries: LogEntry[] }
  | { type: 'push'; topic: 'worker'; event: 'ready' | 'loadFailed' | 'restarted' | 'exited'; message: string; functions?: FunctionInfo[] };

/** Sent by the host right after the connection is accepted. */
export interface HelloMessage {
  type: 'hello';
  protocolVersion: number;
  status: EmulatorStatus;
}

export type HostMessage = HelloMessage | ResponseMessage | PushMessage;
