/**
 * Raw history event vocabulary (no DOM): event type numbers and names, payload decoding, previews.
 * The numbers are the Durable Task Framework's (same as `EventType` of emulator/protocol/durable.ts).
 */
import type { ErrorInfo } from './modelTypes.js';
import type { HistoryEvent } from '../../emulator/protocol/timelineWebview.js';

export const ET = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
  GenericEvent: 17,
  HistoryState: 18,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
  ExecutionRewound: 21,
} as const;

const NAMES: string[] = [];
for (const [name, code] of Object.entries(ET)) NAMES[code] = name;

export function eventTypeName(type: number): string {
  return NAMES[type] ?? `EventType ${type}`;
}

/** Name of the built-in activity that callHttp schedules. */
export const HTTP_ACTIVITY = 'BuiltIn::HttpActivity';

/** Parses a JSON payload; text that is not JSON stays text. `undefined` for absent payloads. */
export function decodePayload(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Time of an event in ms since the epoch (NaN when it has no parsable timestamp). */
export function eventTime(e: HistoryEvent): number {
  return Date.parse(e.Timestamp);
}

/** The main payload of an event as stored (JSON text), for previews and search. */
export function rawPayload(e: HistoryEvent): string | undefined {
  switch (e.EventType) {
    case ET.TaskCompleted:
    case ET.SubOrchestrationInstanceCompleted:
    case ET.ExecutionCompleted:
    case ET.ContinueAsNew:
      return e.FailureDetails ? failureText(e) : (e.Result ?? undefined);
    case ET.TaskFailed:
    case ET.SubOrchestrationInstanceFailed:
    case ET.ExecutionFailed:
      return failureText(e);
    case ET.ExecutionSuspended:
    case ET.ExecutionResumed:
    case ET.ExecutionRewound:
      return e.Reason ?? e.Input ?? undefined;
    case ET.TimerCreated:
    case ET.TimerFired:
      return e.FireAt ? `fire at ${e.FireAt}` : undefined;
    default:
      return e.Input ?? e.Result ?? e.Reason ?? undefined;
  }
}

function failureText(e: HistoryEvent): string | undefined {
  if (e.FailureDetails) {
    const { ErrorType: type, ErrorMessage: message } = e.FailureDetails;
    return !type || message.startsWith(`${type}:`) ? message : `${type}: ${message}`;
  }
  if (e.Reason !== undefined) return e.Reason;
  return e.Result ?? undefined;
}

/** Sequence-id-like fields of an event, for the table's Ids column. */
export function eventIds(e: HistoryEvent): string {
  const parts: string[] = [];
  if (e.EventId !== undefined && e.EventId >= 0) parts.push(`id ${e.EventId}`);
  if (e.TaskScheduledId !== undefined) parts.push(`task ${e.TaskScheduledId}`);
  if (e.TimerId !== undefined) parts.push(`timer ${e.TimerId}`);
  return parts.join(' · ');
}

/** The "name" column: function, event, timer or instance the event is about. */
export function eventName(e: HistoryEvent): string {
  if (e.Name) {
    if (e.EventType === ET.EventSent && e.InstanceId) return `${e.Name} → ${e.InstanceId}`;
    if (e.EventType === ET.SubOrchestrationInstanceCreated && e.InstanceId) return `${e.Name} (${e.InstanceId})`;
    return e.Name;
  }
  if (e.EventType === ET.ExecutionCompleted && e.OrchestrationStatus) return e.OrchestrationStatus;
  return '';
}

/** One-line preview of a payload, at most `max` characters. */
export function preview(text: string | undefined, max = 160): string {
  if (text === undefined) return '';
  const flat = text.length > max * 4 ? text.slice(0, max * 4) : text;
  const one = flat.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** Entity instance ids look like `@name@key`. */
export function parseEntityId(instanceId: string | undefined): { name: string; key: string } | undefined {
  if (!instanceId || instanceId[0] !== '@') return undefined;
  const at = instanceId.indexOf('@', 1);
  if (at < 0) return undefined;
  return { name: instanceId.slice(1, at), key: instanceId.slice(at + 1) };
}

/** The error of a failure event (FailureDetails when present, else Reason/Details). */
export function errorOf(e: HistoryEvent): ErrorInfo {
  if (e.FailureDetails) {
    return { type: e.FailureDetails.ErrorType, message: e.FailureDetails.ErrorMessage, details: e.FailureDetails.StackTrace ?? e.Details };
  }
  return { message: e.Reason ?? e.Result ?? 'failed', details: e.Details };
}

/** Method and URL of a callHttp request (the TaskScheduled input of BuiltIn::HttpActivity). */
export function httpRequest(input: string | null | undefined): { method: string; uri: string } {
  const request = decodePayload(input) as { method?: string; uri?: string; url?: string } | undefined;
  return { method: String(request?.method ?? 'GET').toUpperCase(), uri: String(request?.uri ?? request?.url ?? '') };
}

/** Reads `{result, exceptionType?}` entity replies; `result` is JSON text of the operation's result. */
export function entityReply(input: string | null | undefined): { result?: string | null; error?: ErrorInfo } {
  const reply = decodePayload(input) as { result?: unknown; exceptionType?: string } | undefined;
  if (reply && typeof reply === 'object') {
    const result = typeof reply.result === 'string' ? reply.result : reply.result === undefined ? null : JSON.stringify(reply.result);
    if (reply.exceptionType) return { error: { type: reply.exceptionType, message: String(decodePayload(result) ?? reply.exceptionType) } };
    return { result };
  }
  return { result: input };
}
