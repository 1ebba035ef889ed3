/**
 * `npm run bench`: the emulator's numbers on this machine, with durable commits, against the
 * targets of the emulator issue. The hello sequence runs against the CLI in its own process, as users
 * run it; the other measures run the emulator in this process (so that episode internals and histories
 * can be read). Clients always talk to it over HTTP on loopback like any caller.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { Emulator } from '../emulator/host/emulator';
import { cleanupAll, startEmulator } from '../test/emulator/support/emulatorProcess';
import { runLargeStoreBench } from './largeStore';
import { formatPeak, sampleRss } from './rss';
import { runTimelineBench } from './timeline';

const APP = path.resolve(__dirname, '..', '..', 'bench', 'app');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function post(url: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? '' : JSON.stringify(body);
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function withEmulator<T>(fn: (emu: Emulator) => Promise<T>): Promise<T> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'durable-bench-'));
  const emu = await Emulator.start({ appDir: APP, port: 0, dataDir });
  try {
    return await fn(emu);
  } finally {
    await emu.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The emulator as users run it, the CLI in a process of its own: the clients' work is not on its event loop. */
async function withCliEmulator<T>(fn: (httpUrl: string) => Promise<T>): Promise<T> {
  const emu = await startEmulator({ app: APP });
  const rss = sampleRss(emu.proc.pid!);
  try {
    return await fn(emu.http);
  } finally {
    console.log(`peak RSS of the CLI emulator + worker over the hello sequences: ${formatPeak(rss())}`);
    await emu.stop();
    await cleanupAll();
  }
}

/**
 * Hello sequences from `clients` concurrent clients, for `seconds` after `warmSeconds` of the same load
 * unmeasured (V8 keeps optimising the hot paths, and sql.js's WebAssembly, for a few seconds; a
 * long-running emulator is measured in its steady state). Unpaced, each client starts its next one as
 * soon as its last one completes: the emulator's throughput. Paced, the clients together start `rate`
 * per second on a fixed schedule, whether or not earlier ones are done: the latency at that load.
 */
export async function helloSequence(httpUrl: string, clients: number, seconds: number, rate?: number, warmSeconds = 3) {
  const start = `${httpUrl}/runtime/webhooks/durabletask/orchestrators/HelloSequence?timeout=60&pollingInterval=1`;
  const run = async (forSeconds: number, latencies: number[]) => {
    const began = performance.now();
    const deadline = began + forSeconds * 1000;
    const interval = rate ? (1000 * clients) / rate : 0;
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        // Unpaced, the next start is due when the last one completes.
        for (let due = began + (client * interval) / clients; due < deadline; due = rate ? due + interval : performance.now()) {
          const wait = due - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          // Paced, latency counts from when the start was due: a slow reply that delays this client's next
          // start is not hidden (no coordinated omission).
          const t0 = rate ? due : performance.now();
          const reply = await post(start);
          if (reply.status !== 200) throw new Error(`HelloSequence answered ${reply.status}`);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    return (performance.now() - began) / 1000;
  };
  await run(warmSeconds, []);
  const latencies: number[] = [];
  const elapsed = await run(seconds, latencies);
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), count: latencies.length };
}

export async function fanOut(emu: Pick<Emulator, 'httpUrl'>, n: number) {
  const t0 = performance.now();
  const reply = await post(`${emu.httpUrl}/runtime/webhooks/durabletask/orchestrators/FanOutFanIn?timeout=120&pollingInterval=1`, n);
  if (reply.status !== 200 || reply.json !== (n * (n - 1)) / 2) throw new Error(`FanOutFanIn(${n}) answered ${reply.status} ${JSON.stringify(reply.json)}`);
  return performance.now() - t0;
}

async function timers(emu: Emulator, n: number, ms: number) {
  const ids: string[] = [];
  // As a client sees it: the instance done (durably: when a waiting 200 would be sent) minus its 202 + ms.
  const client: Array<Promise<number>> = [];
  const acceptedAt = new Map<string, number>();
  for (let i = 0; i < n; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, n - i) }, async () => {
        const reply = await post(`${emu.httpUrl}/runtime/webhooks/durabletask/orchestrators/TimerOnly`, ms);
        const accepted = performance.now();
        const id = reply.json.id as string;
        acceptedAt.set(id, Date.now());
        client.push(emu.service.waitUntilDone(id, 60_000).then(() => performance.now() - accepted - ms));
        return id;
      }),
    );
    ids.push(...batch);
  }
  const seenByClient = await Promise.all(client);
  const fired: number[] = [];
  const observed: number[] = [];
  // The orchestrator's clock (the timer is due `ms` after it) starts at its first episode: how long after the 202.
  const firstEpisode: number[] = [];
  for (const id of ids) {
    const history = emu.store.getHistory(id);
    firstEpisode.push(Date.parse(history.find((e) => e.EventType === 12)!.Timestamp) - acceptedAt.get(id)!);
    const event = history.find((e) => e.EventType === 11);
    if (!event) throw new Error(`timer of ${id} did not fire`);
    const due = Date.parse(event.FireAt!);
    // When the host fired it (TimerFired's time), and when the orchestrator saw it (its episode's start).
    fired.push(Date.parse(event.Timestamp) - due);
    const seen = history.slice(0, history.indexOf(event)).reverse().find((e) => e.EventType === 12)!;
    observed.push(Date.parse(seen.Timestamp) - due);
  }
  const stats = (values: number[]) => {
    values.sort((a, b) => a - b);
    return { p50: percentile(values, 50), p99: percentile(values, 99), max: values[values.length - 1] };
  };
  return { fired: stats(fired), observed: stats(observed), client: stats(seenByClient), firstEpisode: stats(firstEpisode) };
}

/**
 * Host time per episode as the history grows: after a fan-out of `fan` (a history of ~2 * fan events),
 * a sequence of `steps` activities, each episode adding a few events. Flat means no per-episode work
 * that grows with the history.
 */
async function episodeCostAt(emu: Emulator, fan: number, steps: number) {
  const before = emu.service.episodes.recent().length;
  const reply = await post(`${emu.httpUrl}/runtime/webhooks/durabletask/orchestrators/GrowThenSequence?timeout=300&pollingInterval=1`, { fan, steps });
  if (reply.status !== 200) throw new Error(`GrowThenSequence answered ${reply.status}`);
  // The sequence's episodes, without the last (which completes the orchestration).
  const samples = emu.service.episodes.recent().slice(before).slice(-steps, -1);
  const host = samples.map((s) => s.hostMs).sort((a, b) => a - b);
  return { events: samples[0].events, hostP50: percentile(host, 50) };
}

/** Host overhead per episode at ~1,000 history events vs the library replaying that history in-process. */
async function episodeCost(emu: Emulator, activities: number) {
  const reply = await post(`${emu.httpUrl}/runtime/webhooks/durabletask/orchestrators/LongSequence?timeout=120&pollingInterval=1`, activities);
  if (reply.status !== 200) throw new Error(`LongSequence answered ${reply.status}`);
  const samples = emu.service.episodes.recent().filter((s) => s.events >= 900 && s.events <= 1100);
  const host = samples.map((s) => s.hostMs).sort((a, b) => a - b);
  const worker = samples.map((s) => s.workerMs).sort((a, b) => a - b);
  const history = emu.store.queryInstances({ name: 'LongSequence', top: 1 }).instances[0];
  const events = emu.store.getHistory(history.instanceId);
  const replay = libraryReplayMs(events);
  return { events: events.length, hostP50: percentile(host, 50), workerP50: percentile(worker, 50), replay };
}

function libraryReplayMs(events: unknown[]): number {
  // The library's own orchestrator runner, fed the same history the worker gets, JSON parse included.
  const { Orchestrator } = require(require.resolve('durable-functions/lib/src/orchestrations/Orchestrator', { paths: [APP] }));
  const orchestrator = new Orchestrator(function* (context: any): Generator<unknown, number, number> {
    const n = context.df.getInput();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += yield context.df.callActivity('Echo', i);
    return sum;
  });
  const text = JSON.stringify(events.slice(0, -2));
  const runs: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const history = JSON.parse(text);
    const started = history.find((e: { EventType: number }) => e.EventType === 0) as { Input: string };
    const input = JSON.parse(started.Input);
    void orchestrator.handle({ history, input, instanceId: 'bench', isReplaying: false, upperSchemaVersion: 1, upperSchemaVersionNew: 3 }, {});
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  return percentile(runs, 50);
}

async function main(): Promise<void> {
  console.log(`durable-emulator benchmarks on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), Node ${process.version}, durable commits\n`);
  const [hello, paced, single] = await withCliEmulator(async (url) => [
    await helloSequence(url, 50, 10),
    await helloSequence(url, 50, 10, 500),
    await helloSequence(url, 1, 5),
  ]);
  console.log(`hello sequence (3 activities), 50 clients, each starting its next when its last completes: ${fmt(hello.perSecond)} orchestrations/s (target >= 500); start->complete p50 ${fmt(hello.p50)} ms, p99 ${fmt(hello.p99)} ms; ${hello.count} runs`);
  // At saturation each client waits for its own, so latency there is 50 / throughput (Little's law). The
  // latency target is met or not at the target load: 50 clients starting 500 per second between them.
  console.log(`hello sequence, 50 clients starting 500/s between them: ${fmt(paced.perSecond)} completed/s; start->complete p50 ${fmt(paced.p50)} ms (target < 10), p99 ${fmt(paced.p99)} ms; ${paced.count} runs`);
  console.log(`hello sequence, 1 client: start->complete p50 ${fmt(single.p50)} ms, p99 ${fmt(single.p99)} ms; ${single.count} runs`);
  const fanRss = sampleRss(process.pid);
  const fan = await withEmulator(async (emu) => {
    await fanOut(emu, 100);
    return { n1k: await fanOut(emu, 1000), n10k: await fanOut(emu, 10_000), n20k: await fanOut(emu, 20_000) };
  });
  console.log(`peak RSS over the fan-outs, emulator in this process (clients included) + worker: ${formatPeak(fanRss())}`);
  console.log(`fan-out/fan-in of 1,000 activities: ${fmt(fan.n1k, 0)} ms (target < 1000)`);
  console.log(
    `fan-out/fan-in of 10,000: ${fmt(fan.n10k, 0)} ms (target < 2000); of 20,000: ${fmt(fan.n20k, 0)} ms (target < 5000); ` +
      `t(20k)/t(10k) ${fmt(fan.n20k / fan.n10k, 2)} (target < 2.6)`,
  );
  const grown = [];
  for (const size of [50, 500, 5000]) grown.push(await withEmulator((emu) => episodeCostAt(emu, size, 30)));
  console.log(
    `host time per episode (p50) at ${grown.map((g) => `${g.events} events: ${fmt(g.hostP50, 2)} ms`).join(', ')}; ` +
      `largest/smallest ${fmt(grown[2].hostP50 / grown[0].hostP50, 2)} (target within 1.5)`,
  );
  const late = await withEmulator((emu) => timers(emu, 1000, 1000));
  console.log(
    `1,000 concurrent 1 s timers, fired late by: p50 ${fmt(late.fired.p50, 0)} ms, p99 ${fmt(late.fired.p99, 0)} ms (target < 50), max ${fmt(late.fired.max, 0)} ms; ` +
      `seen by the orchestrator: p50 ${fmt(late.observed.p50, 0)} ms, p99 ${fmt(late.observed.p99, 0)} ms; ` +
      `as a client sees it (done minus 202 + 1 s): p50 ${fmt(late.client.p50, 0)} ms, p99 ${fmt(late.client.p99, 0)} ms (target < 50); ` +
      `first episode relative to the 202 (negative: it ran before the 202 arrived): p50 ${fmt(late.firstEpisode.p50, 0)} ms, p99 ${fmt(late.firstEpisode.p99, 0)} ms`,
  );
  const cost = await withEmulator((emu) => episodeCost(emu, 260));
  console.log(
    `episode at ~${cost.events} history events: host ${fmt(cost.hostP50, 2)} ms + worker round trip ${fmt(cost.workerP50, 2)} ms (p50); ` +
      `the library's own replay of that history: ${fmt(cost.replay, 2)} ms`,
  );
  agent.destroy();
  await runLargeStoreBench();
  console.log('\nhistory timeline webview (headless Chromium):');
  await runTimelineBench(3);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
