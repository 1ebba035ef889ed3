/** Shared by the storage tests: temp folders and stores closed after each test, rows, events, a workload, crash copies. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openStore, SqlStore, StoreOptions } from '../../../emulator/host/storage/sqlStore';
import type { InstanceRow, Store } from '../../../emulator/host/storage/store';
import { EventType, HistoryEvent } from '../../../emulator/protocol/durable';

const tempDirs: string[] = [];
const openStores: SqlStore[] = [];

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-test-'));
  tempDirs.push(dir);
  return dir;
}

export async function open(dir: string, options?: StoreOptions): Promise<SqlStore> {
  const store = await openStore(dir, options);
  openStores.push(store);
  return store;
}

/** What the files would hold if the process died now: a copy of the folder without the lock. */
export function crashCopy(dir: string): string {
  const copy = tempDir();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name !== 'store.lock') fs.copyFileSync(path.join(dir, entry.name), path.join(copy, entry.name));
  }
  return copy;
}

export function instance(instanceId: string, overrides: Partial<InstanceRow> = {}): InstanceRow {
  return {
    instanceId,
    executionId: 'exec-1',
    name: 'Hello',
    version: '',
    runtimeStatus: 'Running',
    input: '"Tokyo"',
    output: null,
    customStatus: null,
    createdTime: 1_700_000_000_000,
    lastUpdatedTime: 1_700_000_000_000,
    completedTime: null,
    parentInstanceId: null,
    failureDetails: null,
    engineState: '{}',
    ...overrides,
  };
}

export function event(type: EventType, eventId: number, extra: Partial<HistoryEvent> = {}): HistoryEvent {
  return { EventType: type, EventId: eventId, Timestamp: '2024-01-01T00:00:00.000Z', IsPlayed: false, ...extra };
}

/** Everything a store can show about `instanceIds`, for whole-state comparisons. */
export function snapshot(store: Store, instanceIds: string[]): unknown {
  return {
    instances: store.queryInstances({ orderBy: 'instanceId' }).instances,
    executions: instanceIds.map((id) =>
      store.listExecutions(id).map((e) => ({ ...e, events: store.getHistory(id, e.executionId), engine: store.getEngineNotes(id, e.executionId) })),
    ),
    current: instanceIds.map((id) => store.getHistory(id)),
    messages: instanceIds.map((id) => store.getMessages(id)),
    withMessages: store.instancesWithMessages(),
    timers: store.allTimers(),
    workItems: store.allWorkItems(),
  };
}

export const IDS = ['a', 'b', 'c', 'gone'];

/** A mix of every kind of change, including continue-as-new and a purge. */
export async function workload(store: Store): Promise<void> {
  await store.commit({
    upsertInstances: [instance('a'), instance('b', { name: 'Other' }), instance('gone')],
    appendHistory: [
      { instanceId: 'a', executionId: 'exec-1', events: [event(EventType.OrchestratorStarted, -1), event(EventType.ExecutionStarted, -1, { Name: 'Hello', Input: '"Tokyo"' })], engine: { nextSeq: 1 } },
      { instanceId: 'gone', executionId: 'exec-1', events: [event(EventType.ExecutionStarted, -1)] },
    ],
    addMessages: [{ instanceId: 'b', event: event(EventType.EventRaised, -1, { Name: 'go', Input: '1' }) }],
    addTimers: [{ instanceId: 'a', executionId: 'exec-1', timerId: 1, fireAt: 5000 }],
    addWorkItems: [{ kind: 'activity', instanceId: 'a', executionId: 'exec-1', taskId: 0, name: 'SayHello', input: '"Tokyo"', createdTime: 1 }],
  });
  await Promise.all([
    store.commit({ appendHistory: [{ instanceId: 'a', executionId: 'exec-1', events: [event(EventType.TaskScheduled, 0, { Name: 'SayHello' })] }] }),
    store.commit({ addMessages: [{ instanceId: 'gone', event: event(EventType.EventRaised, -1) }] }),
    store.commit({ purgeInstances: ['gone'] }),
  ]);
  // Continue-as-new of 'a': a new execution, old history kept.
  await store.commit({
    upsertInstances: [instance('a', { executionId: 'exec-2', lastUpdatedTime: 1_700_000_001_000, input: '2' })],
    appendHistory: [{ instanceId: 'a', executionId: 'exec-2', events: [event(EventType.ExecutionStarted, -1, { Input: '2' })] }],
    clearTimers: ['a'],
    clearWorkItems: ['a'],
    addTimers: [{ instanceId: 'c', executionId: 'exec-1', timerId: 0, fireAt: 1000 }],
    addMessages: [
      { instanceId: 'c', event: event(EventType.EventRaised, -1, { Name: 'x' }) },
      { instanceId: 'c', event: event(EventType.EventRaised, -1, { Name: 'y' }) },
    ],
  });
  await store.commit({
    upsertInstances: [instance('c', { runtimeStatus: 'Completed', output: '"done"', completedTime: 1_700_000_002_000 })],
    replaceHistory: [{ instanceId: 'c', executionId: 'exec-1', events: [event(EventType.ExecutionStarted, -1), event(EventType.ExecutionCompleted, -1, { Result: '"done"' })] }],
    addWorkItems: [{ kind: 'http', instanceId: 'c', executionId: 'exec-1', taskId: 3, name: 'BuiltIn::HttpActivity', input: '{"method":"GET"}', createdTime: 2 }],
  });
}

export function journalPath(dir: string): string {
  return path.join(dir, 'journal.log');
}

/** Byte offsets of the records of a journal (parsing only the length headers). */
export function recordOffsets(bytes: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = 0; at < bytes.length; at += 8 + bytes.readUInt32LE(at)) offsets.push(at);
  return offsets;
}

// Scoped to this file's suites (a top-level hook would run around every test of the whole run).
export function cleanUpAfterEach(): void {
  afterEach(async () => {
    for (const store of openStores.splice(0)) await store.close().catch(() => undefined);
    for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
}

export function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] ^= 0x5a;
  return copy;
}
