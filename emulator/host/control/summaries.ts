/** Instance rows as the control protocol shows them: summaries with ~1 KB previews, and full details. */
import { EventType, isTerminal } from '../../protocol/durable';
import type { FailureInfo, InstanceDetail, InstanceSummary } from '../../protocol/control';
import { waitingEventNames } from '../engine/engineState';
import { storedJson } from '../rawJson';
import { rebuild } from '../runtime/engineStates';
import type { InstanceRow, Store } from '../storage/store';

/** Characters of JSON text kept in a preview before the ellipsis. */
export const PREVIEW_CHARS = 1024;
const ELLIPSIS = '…';

/**
 * The JSON text cut to PREVIEW_CHARS characters plus an ellipsis (never splitting a surrogate pair). The
 * cut is copied: a slice would keep the whole (maybe megabytes long) text alive as long as the preview.
 */
export function preview(text: string | null): string | null {
  if (text === null || text === undefined) return null;
  if (text.length <= PREVIEW_CHARS) return text;
  let end = PREVIEW_CHARS;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return Buffer.from(text.slice(0, end) + ELLIPSIS, 'utf8').toString('utf8');
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

export function failureOf(row: InstanceRow): FailureInfo | null {
  if (!row.failureDetails) return null;
  try {
    const details = JSON.parse(row.failureDetails) as { ErrorType?: unknown; ErrorMessage?: unknown; StackTrace?: unknown };
    const info: FailureInfo = {
      type: typeof details.ErrorType === 'string' ? details.ErrorType : 'Error',
      message: typeof details.ErrorMessage === 'string' ? details.ErrorMessage : String(details.ErrorMessage ?? ''),
    };
    if (typeof details.StackTrace === 'string' && details.StackTrace) info.stack = details.StackTrace;
    return info;
  } catch {
    return { type: 'Error', message: row.failureDetails };
  }
}

export function summaryOf(row: InstanceRow): InstanceSummary {
  return {
    instanceId: row.instanceId,
    executionId: row.executionId,
    name: row.name,
    runtimeStatus: row.runtimeStatus,
    createdTime: isoTime(row.createdTime),
    lastUpdatedTime: isoTime(row.lastUpdatedTime),
    completedTime: row.completedTime === null ? null : isoTime(row.completedTime),
    parentInstanceId: row.parentInstanceId,
    inputPreview: preview(row.input),
    outputPreview: preview(row.output),
    customStatusPreview: preview(row.customStatus),
    failure: failureOf(row),
  };
}

/** External events the orchestrator waits for and has not received (none once it is finished). */
export function waitingFor(row: InstanceRow, store: Store): string[] {
  if (isTerminal(row.runtimeStatus)) return [];
  const history = store.getHistory(row.instanceId, row.executionId);
  const raised = history.filter((e) => e.EventType === EventType.EventRaised && e.Name !== undefined).map((e) => e.Name!);
  return waitingEventNames(rebuild(store, row), raised);
}

export function detailOf(row: InstanceRow, store: Store): InstanceDetail {
  const summary = summaryOf(row);
  const { inputPreview: _i, outputPreview: _o, customStatusPreview: _c, ...rest } = summary;
  return {
    ...rest,
    input: storedJson(row.input),
    output: storedJson(row.output),
    customStatus: storedJson(row.customStatus),
    executions: store.listExecutions(row.instanceId),
    waitingForEvents: isTerminal(row.runtimeStatus) ? [] : waitingFor(row, store),
  };
}
