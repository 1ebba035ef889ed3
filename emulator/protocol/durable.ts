/**
 * The Durable Task data model as the durable-functions library sees it on the wire:
 * history events (PascalCase, numeric EventType), orchestrator actions and runtime statuses.
 * Shared by the host's engine, the worker and (read-only) the extension.
 */

export enum EventType {
  ExecutionStarted = 0,
  ExecutionCompleted = 1,
  ExecutionFailed = 2,
  ExecutionTerminated = 3,
  TaskScheduled = 4,
  TaskCompleted = 5,
  TaskFailed = 6,
  SubOrchestrationInstanceCreated = 7,
  SubOrchestrationInstanceCompleted = 8,
  SubOrchestrationInstanceFailed = 9,
  TimerCreated = 10,
  TimerFired = 11,
  OrchestratorStarted = 12,
  OrchestratorCompleted = 13,
  EventSent = 14,
  EventRaised = 15,
  ContinueAsNew = 16,
  GenericEvent = 17,
  HistoryState = 18,
  ExecutionSuspended = 19,
  ExecutionResumed = 20,
  ExecutionRewound = 21,
}

export interface FailureDetails {
  ErrorType: string;
  ErrorMessage: string;
  StackTrace?: string;
  IsNonRetriable?: boolean;
  Properties?: Record<string, unknown>;
}

export interface OrchestrationInstanceRef {
  InstanceId: string;
  ExecutionId: string;
}

/** One history event. Fields beyond the common ones depend on EventType (see reference §2). */
export interface HistoryEvent {
  EventType: EventType;
  EventId: number;
  Timestamp: string;
  IsPlayed: boolean;
  Name?: string;
  Version?: string;
  Input?: string | null;
  Result?: string | null;
  Reason?: string;
  Details?: string;
  FailureDetails?: FailureDetails;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: string;
  InstanceId?: string;
  OrchestrationInstance?: OrchestrationInstanceRef;
  ParentInstance?: { Name: string; OrchestrationInstance: OrchestrationInstanceRef; TaskScheduleId: number } | null;
  OrchestrationStatus?: string;
  /**
   * Not in the Durable Task schema (the library ignores it): when the emulator started running the task,
   * on TaskCompleted/TaskFailed, so that tools can show time waiting for a worker apart from running.
   */
  StartedTime?: string;
}

export type RuntimeStatus =
  | 'Pending'
  | 'Running'
  | 'Completed'
  | 'ContinuedAsNew'
  | 'Failed'
  | 'Terminated'
  | 'Suspended';

export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

export function isTerminal(status: RuntimeStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export enum ActionType {
  CallActivity = 0,
  CallActivityWithRetry = 1,
  CallSubOrchestrator = 2,
  CallSubOrchestratorWithRetry = 3,
  ContinueAsNew = 4,
  CreateTimer = 5,
  WaitForExternalEvent = 6,
  CallEntity = 7,
  CallHttp = 8,
  SignalEntity = 9,
  WhenAny = 11,
  WhenAll = 12,
  LockEntities = 13,
  ReleaseEntities = 14,
}

export interface RetryOptions {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export interface HttpRequestSpec {
  method: string;
  uri: string;
  content?: string;
  headers?: Record<string, string>;
  tokenSource?: unknown;
  asynchronousPatternEnabled?: boolean;
}

/** An action as the library emits it; compound actions (WhenAny/WhenAll) are flattened by the worker. */
export interface OrchestratorAction {
  actionType: ActionType;
  functionName?: string;
  input?: unknown;
  retryOptions?: RetryOptions;
  instanceId?: string;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  operation?: string;
  httpRequest?: HttpRequestSpec;
  lockRequestId?: string;
  lockSet?: unknown[];
}

/**
 * What one orchestrator episode produced, as the worker reports it: the library's
 * OrchestratorState with its cumulative actions flattened in sequence-id order and
 * de-duplicated (a task awaited again inside a later Task.any appears once).
 */
export interface OrchestratorResult {
  isDone: boolean;
  actions: OrchestratorAction[];
  output?: unknown;
  customStatus?: unknown;
  /** Set when the orchestrator threw: its message (and stack when known). */
  error?: { message: string; stack?: string; failureDetails?: unknown };
  /**
   * Set when the worker checked the replayed actions against those the host recorded (the invocation's
   * `recorded`): `actions` then holds only the actions from this index on.
   */
  actionsFrom?: number;
  /** Indexes, below actionsFrom, of recorded timer actions that replay found cancelled. */
  canceledTimers?: number[];
  /** The first recorded action that replay contradicted, with the description of what replay produced. */
  mismatch?: { index: number; replayed: string };
}
