/**
 * Instance rows as the real extension's HTTP API renders them (DurableOrchestrationStatus JSON). Payloads
 * stay stored JSON text (RawJson), written into the reply as they are: see rawJson.ts.
 */
import { EventType, HistoryEvent } from '../../protocol/durable';
import { storedJson } from '../rawJson';
import type { InstanceRow } from '../storage/store';

export interface StatusOptions {
  showInput?: boolean;
  showHistory?: boolean;
  showHistoryOutput?: boolean;
}

/** `yyyy-MM-ddTHH:mm:ssZ`, the format the extension uses. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function statusOf(row: InstanceRow, options: StatusOptions, history?: HistoryEvent[]): Record<string, unknown> {
  const status: Record<string, unknown> = {
    name: row.name,
    instanceId: row.instanceId,
    runtimeStatus: row.runtimeStatus,
    input: options.showInput === false ? null : storedJson(row.input),
    customStatus: storedJson(row.customStatus),
    output: storedJson(row.output),
    createdTime: formatTime(row.createdTime),
    lastUpdatedTime: formatTime(row.lastUpdatedTime),
  };
  if (options.showHistory && history) status.historyEvents = historyEventsOf(history, !!options.showHistoryOutput);
  return status;
}

/**
 * The extension's history rendering: EventType as a name, orchestrator episode markers dropped,
 * scheduling events folded into their completions (FunctionName, ScheduledTime), payloads only with
 * showHistoryOutput.
 */
export function historyEventsOf(history: HistoryEvent[], withOutput: boolean): Record<string, unknown>[] {
  const scheduled = new Map<number, HistoryEvent>();
  for (const e of history) {
    if (e.EventType === EventType.TaskScheduled || e.EventType === EventType.SubOrchestrationInstanceCreated) scheduled.set(e.EventId, e);
  }
  const completedIds = new Set<number>();
  for (const e of history) if (e.TaskScheduledId !== undefined) completedIds.add(e.TaskScheduledId);

  const out: Record<string, unknown>[] = [];
  for (const e of history) {
    if (e.EventType === EventType.OrchestratorStarted || e.EventType === EventType.OrchestratorCompleted) continue;
    if (scheduled.get(e.EventId) === e && completedIds.has(e.EventId)) continue;
    const item: Record<string, unknown> = { EventType: EventType[e.EventType] ?? e.EventType };
    if (e.EventId >= 0) item.EventId = e.EventId;
    const source = e.TaskScheduledId !== undefined ? scheduled.get(e.TaskScheduledId) : undefined;
    if (source) {
      item.FunctionName = source.Name;
      item.ScheduledTime = source.Timestamp;
      if (source.InstanceId) item.InstanceId = source.InstanceId;
    }
    if (e.Name !== undefined) item[e.EventType === EventType.EventRaised ? 'Name' : 'FunctionName'] = e.Name;
    if (e.InstanceId !== undefined) item.InstanceId = e.InstanceId;
    if (e.FireAt !== undefined) item.FireAt = e.FireAt;
    if (e.OrchestrationStatus !== undefined) item.OrchestrationStatus = e.OrchestrationStatus;
    if (e.Reason !== undefined && e.Reason !== '') item.Reason = e.Reason;
    if (e.Details !== undefined && e.Details !== '') item.Details = e.Details;
    if (e.FailureDetails) item.FailureDetails = e.FailureDetails;
    if (e.ParentInstance) item.ParentInstance = e.ParentInstance;
    if (withOutput) {
      if (e.Input !== undefined) item.Input = storedJson(e.Input);
      if (e.Result !== undefined) item.Result = storedJson(e.Result);
    }
    item.Timestamp = e.Timestamp;
    out.push(item);
  }
  return out;
}
