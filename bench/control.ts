/**
 * Control channel at scale: 100,000 instances seeded straight into the store, then the emulator (CLI, a
 * separate process) started on that data folder and timed over its WebSocket: hello, instances.list (first
 * page, a deep page through a continuation token, filtered), status counts. The store's own query and
 * count times are printed first, to tell the WebSocket's share from the database's.
 * Run: npx tsc -p . && node out/bench/control.js [instances]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ControlClient } from '../emulator/client/controlClient';
import { EmulatorProcess } from '../emulator/client/emulatorProcess';
import { openStore } from '../emulator/host/storage/sqlStore';
import type { InstanceQuery, InstanceRow, Store } from '../emulator/host/storage/store';
import type { Method, Params, Result } from '../emulator/protocol/control';
import type { RuntimeStatus } from '../emulator/protocol/durable';

const REPO = path.resolve(__dirname, '..', '..');
const CLI = path.join(REPO, 'out', 'emulator', 'host', 'cli.js');
const APP = path.join(REPO, 'bench', 'app');
const COUNT = Number(process.argv[2] ?? 100_000);
const BATCH = 5000;
const NAMES = ['HelloSequence', 'FanOutFanIn', 'Monitor', 'Approval', 'Billing'];
const T0 = Date.UTC(2024, 0, 1);

function statusOf(n: number): RuntimeStatus {
  const r = n % 20;
  if (r < 14) return 'Completed';
  if (r < 16) return 'Running';
  if (r === 16) return 'Failed';
  if (r === 17) return 'Terminated';
  if (r === 18) return 'Pending';
  return 'Suspended';
}

function row(n: number): InstanceRow {
  const status = statusOf(n);
  const created = T0 + n * 25_000; // ~29 days over 100k instances
  const done = status === 'Completed' || status === 'Failed' || status === 'Terminated';
  return {
    instanceId: `seed-${n.toString().padStart(7, '0')}-${(n * 2654435761 >>> 0).toString(16)}`,
    executionId: `x${n}`,
    name: NAMES[n % NAMES.length],
    version: '',
    runtimeStatus: status,
    input: JSON.stringify({ order: n, customer: `customer-${n % 977}`, items: [1, 2, 3].map((i) => ({ sku: `sku-${(n + i) % 100}`, qty: i })) }),
    output: status === 'Completed' ? JSON.stringify({ ok: true, total: (n % 1000) * 1.5 }) : null,
    customStatus: status === 'Running' ? JSON.stringify({ stage: 'waiting' }) : null,
    createdTime: created,
    lastUpdatedTime: created + (n % 7) * 1000,
    completedTime: done ? created + (n % 7) * 1000 : null,
    parentInstanceId: null,
    failureDetails: status === 'Failed' ? JSON.stringify({ ErrorType: 'Error', ErrorMessage: `order ${n} failed`, StackTrace: 'Error: ...' }) : null,
    engineState: '{"nextSeq":3,"actions":[],"pending":{},"failed":{}}',
  };
}

function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const ms = (n: number) => `${n.toFixed(2)} ms`;

async function seed(dataDir: string): Promise<void> {
  const store = await openStore(dataDir, { checkpointBytes: 1 << 30 });
  const start = performance.now();
  for (let from = 0; from < COUNT; from += BATCH) {
    const upsertInstances: InstanceRow[] = [];
    for (let n = from; n < Math.min(COUNT, from + BATCH); n++) upsertInstances.push(row(n));
    await store.commit({ upsertInstances });
  }
  console.log(`seeded ${COUNT} instances in ${(performance.now() - start).toFixed(0)} ms`);
  storeTimings(store);
  const cp = performance.now();
  await store.checkpoint();
  console.log(`checkpoint: ${(performance.now() - cp).toFixed(0)} ms (${(fs.statSync(path.join(dataDir, 'state.sqlite')).size / 2 ** 20).toFixed(1)} MiB)`);
  await store.close();
}

/** The database's share: the queries the control server makes, in this process. */
function storeTimings(store: Store): void {
  const reps = 20;
  const q = (query: InstanceQuery) => median(Array.from({ length: reps }, () => time(() => store.queryInstances(query))[1]));
  const c = (query: InstanceQuery) => median(Array.from({ length: reps }, () => time(() => store.countInstances(query))[1]));
  console.log('store, in process (median of 20):');
  console.log(`  queryInstances first page of 50 (newest first): ${ms(q({ top: 50 }))}`);
  console.log(`  queryInstances page of 50, status Failed:       ${ms(q({ top: 50, runtimeStatus: ['Failed'] }))}`);
  console.log(`  countInstances all:                            ${ms(c({}))}`);
  console.log(`  countInstances status Completed (70%):         ${ms(c({ runtimeStatus: ['Completed'] }))}`);
  console.log(`  countInstances status Failed (5%):             ${ms(c({ runtimeStatus: ['Failed'] }))}`);
  console.log(`  countInstances name (20%):                     ${ms(c({ name: 'Monitor' }))}`);
  console.log(`  countInstances name + status:                  ${ms(c({ name: 'Monitor', runtimeStatus: ['Running'] }))}`);
  console.log(`  countInstances instanceIdPrefix (10%):         ${ms(c({ instanceIdPrefix: 'seed-001' }))}`);
  const statuses: RuntimeStatus[] = ['Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Terminated', 'Suspended'];
  console.log(`  7 counts by status (what status does):         ${ms(median(Array.from({ length: reps }, () => time(() => statuses.map((s) => store.countInstances({ runtimeStatus: [s] })))[1])))}`);
}

/** Times one request: its result and the round trip in ms. */
async function call<M extends Method>(client: ControlClient, method: M, params: Params<M>): Promise<{ result: Result<M>; ms: number }> {
  const start = performance.now();
  const result = await client.request(method, params);
  return { result, ms: performance.now() - start };
}

/** The first call and the median of `reps` more. */
async function timed<M extends Method>(client: ControlClient, label: string, method: M, params: Params<M>, reps = 20): Promise<Result<M>> {
  const first = await call(client, method, params);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push((await call(client, method, params)).ms);
  console.log(`  ${label.padEnd(52)} first ${ms(first.ms).padStart(10)}, median ${ms(median(times)).padStart(10)}, min ${ms(Math.min(...times)).padStart(9)}`);
  return first.result;
}

async function overWebSocket(dataDir: string): Promise<void> {
  const started = performance.now();
  const { process: emu, ready } = await EmulatorProcess.start({ cliPath: CLI, appDir: APP, dataDir, port: 0, readyTimeoutMs: 120_000 });
  emu.on('stderr', (line: string) => console.error(line));
  console.log(`emulator ready on ${COUNT} instances in ${(performance.now() - started).toFixed(0)} ms`);
  try {
    const connecting = performance.now();
    const client = await ControlClient.connect(ready.ws, ready.token, { timeoutMs: 60_000 });
    const helloMs = performance.now() - connecting;
    console.log(`over the WebSocket (round trips from a client process):`);
    console.log(`  ${'connect + hello (status with counts)'.padEnd(52)} ${ms(helloMs)}`);
    const first = await timed(client, 'instances.list first page of 50 (newest first)', 'instances.list', { pageSize: 50 });
    console.log(`    total ${first.total}, ${JSON.stringify(first).length} bytes of JSON`);
    await timed(client, 'instances.list first page of 500', 'instances.list', { pageSize: 500 }, 5);

    // A token ~90% deep: walk pages of 1,000 (the largest) by instanceId, then time pages from there.
    let token: string | null = null;
    let walked = 0;
    const walkTimes: number[] = [];
    while (walked < COUNT * 0.9) {
      const { result, ms: t }: { result: Result<'instances.list'>; ms: number } = await call(client, 'instances.list', { orderBy: 'instanceId', pageSize: 1000, continuationToken: token ?? undefined });
      walkTimes.push(t);
      walked += result.instances.length;
      token = result.continuationToken;
      if (!token) break;
    }
    console.log(`  ${`walking ${walked} instances, pages of 1,000 by instanceId`.padEnd(52)} median ${ms(median(walkTimes))} per page`);
    const deep = await timed(client, `instances.list page of 50 after ${walked} (token)`, 'instances.list', {
      orderBy: 'instanceId',
      pageSize: 50,
      continuationToken: token ?? undefined,
    });
    console.log(`    first id on that page: ${deep.instances[0]?.instanceId}`);
    const failed = await timed(client, 'instances.list status Failed, page of 50', 'instances.list', { filter: { runtimeStatus: ['Failed'] }, pageSize: 50 });
    console.log(`    total ${failed.total}`);
    await timed(client, 'instances.list status Completed (70%), page of 50', 'instances.list', { filter: { runtimeStatus: ['Completed'] }, pageSize: 50 });
    await timed(client, 'instances.list name + status, page of 50', 'instances.list', { filter: { name: 'Monitor', runtimeStatus: ['Running'] }, pageSize: 50 });
    await timed(client, 'instances.list created in one day, page of 50', 'instances.list', {
      filter: { createdFrom: new Date(T0 + 10 * 86_400_000).toISOString(), createdTo: new Date(T0 + 11 * 86_400_000).toISOString() },
      pageSize: 50,
    });
    await timed(client, 'instances.list by lastUpdatedTime desc, page of 50', 'instances.list', { orderBy: 'lastUpdatedTime', descending: true, pageSize: 50 });
    const status = await timed(client, 'status (7 counts by status)', 'status', {});
    console.log(`    counts ${JSON.stringify(status.counts)}`);
    await timed(client, 'instances.get', 'instances.get', { instanceId: first.instances[0].instanceId });
    await timed(client, 'instances.list first page of 50, again at the end', 'instances.list', { pageSize: 50 });
    client.close();
  } finally {
    await emu.stop();
  }
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error(`Build first: ${CLI} is missing (npx tsc -p .).`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-control-'));
  try {
    await seed(dataDir);
    await overWebSocket(dataDir);
  } finally {
    if (!process.env.KEEP_BENCH_DATA) fs.rmSync(dataDir, { recursive: true, force: true });
    else console.log(`data kept in ${dataDir}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
