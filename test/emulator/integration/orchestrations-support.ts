/**
 * Helpers shared by the orchestration-semantics suites (orchestrations*.test.ts): one emulator per
 * describe block, history reads through the HTTP API, raw history from the data folder.
 */
import { randomUUID } from 'node:crypto';
import { EventType, type HistoryEvent } from '../../../emulator/protocol/durable';
import { openStore } from '../../../emulator/host/storage/sqlStore';
export { useEmulator } from '../support/emulatorProcess';
import { Reply, api, getStatus, request, waitFor } from '../support/httpClient';

export const FINISHED = ['Completed', 'Failed', 'Terminated'];

/** Starts the scenarios fixture in `before` and stops it in `after`; call inside a describe. */
export const uniqueId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** An instance's status with its history as the HTTP API renders it (inputs and results included). */
export async function statusWithHistory(base: string, instanceId: string): Promise<any> {
  return getStatus(base, instanceId, 'showHistory=true&showHistoryOutput=true');
}

export async function historyOf(base: string, instanceId: string): Promise<any[]> {
  const status = await statusWithHistory(base, instanceId);
  if (!status || !Array.isArray(status.historyEvents)) throw new Error(`no historyEvents for ${instanceId}: ${JSON.stringify(status)}`);
  return status.historyEvents;
}

/** Waits until the rendered history holds an event matching `predicate`; returns the whole history. */
export function waitForHistory(base: string, instanceId: string, what: string, predicate: (events: any[]) => boolean, timeoutMs = 30_000): Promise<any[]> {
  return waitFor(
    async () => {
      const events = await historyOf(base, instanceId);
      return predicate(events) ? events : undefined;
    },
    `${instanceId}: ${what}`,
    timeoutMs,
  );
}

/** Raises an event whose payload is `value`, always sent as JSON (a string value becomes a JSON string). */
export function raiseEvent(base: string, instanceId: string, name: string, value: unknown): Promise<Reply> {
  const url = `${api(base)}/instances/${encodeURIComponent(instanceId)}/raiseEvent/${encodeURIComponent(name)}`;
  return request('POST', url, JSON.stringify(value), { 'content-type': 'application/json' });
}

export const ofType = (events: any[], type: string) => events.filter((e) => e.EventType === type);
export const ms = (iso: string) => Date.parse(iso);

/**
 * The raw history of an instance's current execution (or all executions), read from the data folder of
 * a STOPPED emulator with the emulator's own store.
 */
export async function rawHistories(dataDir: string, instanceIds: string[]): Promise<Map<string, { current: HistoryEvent[]; executions: number }>> {
  const store = await openStore(dataDir);
  try {
    const out = new Map<string, { current: HistoryEvent[]; executions: number }>();
    for (const id of instanceIds) out.set(id, { current: store.getHistory(id), executions: store.listExecutions(id).length });
    return out;
  } finally {
    await store.close();
  }
}

/** Compact text of raw history for assertion messages: `Type#EventId(->TaskScheduledId|TimerId)`. */
export function describeRaw(events: HistoryEvent[]): string {
  return events
    .map((e) => {
      const name = EventType[e.EventType] ?? `E${e.EventType}`;
      const ref = e.TaskScheduledId ?? e.TimerId;
      return `${name}#${e.EventId}${ref !== undefined ? `->${ref}` : ''}`;
    })
    .join(' ');
}
