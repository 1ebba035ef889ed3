/**
 * Storage benchmark: durable commits per second one at a time and with 50 concurrent committers (group
 * commit), checkpoint and reopen time at 20k instances, and a page query there.
 * Run: npx tsc -p . && node out/bench/storage.js
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openStore, SqlStore } from '../emulator/host/storage/sqlStore';
import type { InstanceRow, Transaction } from '../emulator/host/storage/store';
import { EventType, HistoryEvent } from '../emulator/protocol/durable';

function row(instanceId: string, n: number): InstanceRow {
  return {
    instanceId,
    executionId: `${instanceId}-x`,
    name: ['HelloSequence', 'FanOut', 'Monitor'][n % 3],
    version: '',
    runtimeStatus: n % 5 === 0 ? 'Completed' : 'Running',
    input: JSON.stringify({ city: 'Tokyo', n }),
    output: null,
    customStatus: null,
    createdTime: 1_700_000_000_000 + n,
    lastUpdatedTime: 1_700_000_000_000 + n,
    completedTime: null,
    parentInstanceId: null,
    failureDetails: null,
    engineState: '{"nextSequenceId":3,"processed":3}',
  };
}

function events(n: number): HistoryEvent[] {
  const at = new Date(1_700_000_000_000 + n).toISOString();
  return [
    { EventType: EventType.OrchestratorStarted, EventId: -1, Timestamp: at, IsPlayed: false },
    { EventType: EventType.TaskCompleted, EventId: -1, Timestamp: at, IsPlayed: false, TaskScheduledId: 0, Result: '"Hello Tokyo!"' },
    { EventType: EventType.TaskScheduled, EventId: 1, Timestamp: at, IsPlayed: false, Name: 'SayHello', Input: '"Seattle"' },
    { EventType: EventType.OrchestratorCompleted, EventId: -1, Timestamp: at, IsPlayed: false },
  ];
}

/** What one orchestrator episode commits: the instance row, its new events, a work item, a consumed message. */
function episode(n: number): Transaction {
  const instanceId = `bench-${n % 1000}`;
  return {
    upsertInstances: [row(instanceId, n)],
    appendHistory: [{ instanceId, executionId: `${instanceId}-x`, events: events(n) }],
    addWorkItems: [{ kind: 'activity', instanceId, executionId: `${instanceId}-x`, taskId: 1, name: 'SayHello', input: '"Seattle"', createdTime: n }],
    deleteWorkItems: n > 0 ? [n] : [],
  };
}

async function timed(label: string, fn: () => Promise<number>): Promise<void> {
  const start = performance.now();
  const count = await fn();
  const ms = performance.now() - start;
  console.log(`${label}: ${count} commits in ${ms.toFixed(0)} ms = ${Math.round((count / ms) * 1000)} commits/s`);
}

async function commitRates(dir: string): Promise<void> {
  const store = await openStore(dir);
  let n = 0;
  await timed('one at a time, awaited', async () => {
    for (let i = 0; i < 3000; i++) await store.commit(episode(n++));
    return 3000;
  });
  await timed('50 concurrent committers', async () => {
    const perCommitter = 400;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        for (let i = 0; i < perCommitter; i++) await store.commit(episode(n++));
      }),
    );
    return 50 * perCommitter;
  });
  await store.close();
}

async function atScale(dir: string): Promise<void> {
  const instances = 20_000;
  let store: SqlStore = await openStore(dir, { checkpointBytes: 1 << 30 });
  const fill = performance.now();
  for (let start = 0; start < instances; start += 500) {
    const tx: Transaction = { upsertInstances: [], appendHistory: [] };
    for (let n = start; n < start + 500; n++) {
      tx.upsertInstances!.push(row(`inst-${n}`, n));
      tx.appendHistory!.push({ instanceId: `inst-${n}`, executionId: `inst-${n}-x`, events: [...events(n), ...events(n)] });
    }
    await store.commit(tx);
  }
  const journalBytes = fs.statSync(path.join(dir, 'journal.log')).size;
  console.log(`filled ${instances} instances with 8 events each in ${(performance.now() - fill).toFixed(0)} ms (journal ${(journalBytes / 2 ** 20).toFixed(1)} MiB)`);

  let start = performance.now();
  await store.checkpoint();
  const size = fs.statSync(path.join(dir, 'state.sqlite')).size;
  console.log(`checkpoint at ${instances} instances (${(size / 2 ** 20).toFixed(1)} MiB): ${(performance.now() - start).toFixed(0)} ms`);

  await store.close();
  start = performance.now();
  store = await openStore(dir);
  console.log(`open from checkpoint: ${(performance.now() - start).toFixed(0)} ms`);

  for (let i = 0; i < 5000; i++) await store.commit(episode(i)); // a journal to replay
  const replayDir = path.join(os.tmpdir(), `bench-storage-replay-${process.pid}`);
  fs.mkdirSync(replayDir);
  for (const f of ['state.sqlite', 'journal.log']) fs.copyFileSync(path.join(dir, f), path.join(replayDir, f));
  start = performance.now();
  const replayed = await openStore(replayDir);
  console.log(`open from checkpoint + ${replayed.recovery.replayed} journal records: ${(performance.now() - start).toFixed(0)} ms`);
  await replayed.close();
  fs.rmSync(replayDir, { recursive: true, force: true });

  start = performance.now();
  let token: string | undefined;
  for (let page = 0; page < 20; page++) token = store.queryInstances({ top: 50, continuationToken: token }).continuationToken ?? undefined;
  console.log(`page of 50 (default order) at ${instances} instances: ${((performance.now() - start) / 20).toFixed(2)} ms`);
  start = performance.now();
  token = undefined;
  for (let page = 0; page < 20; page++) {
    token = store.queryInstances({ top: 50, runtimeStatus: ['Running'], name: 'FanOut', continuationToken: token }).continuationToken ?? undefined;
  }
  console.log(`page of 50 (status + name filter) at ${instances} instances: ${((performance.now() - start) / 20).toFixed(2)} ms`);
  start = performance.now();
  for (let i = 0; i < 1000; i++) store.getHistory(`inst-${i}`);
  console.log(`getHistory of an 8-event history: ${((performance.now() - start) / 1000).toFixed(3)} ms`);
  await store.close();
}

export async function runStorageBench(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-storage-'));
  try {
    await commitRates(path.join(root, 'rates'));
    await atScale(path.join(root, 'scale'));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runStorageBench().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
