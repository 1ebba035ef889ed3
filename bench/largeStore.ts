/**
 * 100,000 stored hello-sequence instances: the RSS of the process that committed them, then a cold
 * start on the same data folder (open the checkpoint + replay the journal) and page queries there.
 *
 * The instances are the transactions of one real hello sequence (recorded from the emulator running
 * bench/app), committed again under new ids through the store, five turns per instance as the service
 * commits them. Queue entries (messages, work items), which a completed instance no longer has, are left
 * out: they would need their ids remapped. Each phase runs in a fresh process, so that its RSS is its own.
 * Run: node out/bench/largeStore.js [instances]
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { Emulator } from '../emulator/host/emulator';
import { openStore } from '../emulator/host/storage/sqlStore';
import type { Transaction } from '../emulator/host/storage/store';
import { rssMiB } from './rss';

const APP = path.resolve(__dirname, '..', '..', 'bench', 'app');
const MiB = 2 ** 20;

/** The store parts of one hello sequence's commits, as JSON, with its instance and execution ids. */
interface Template {
  instanceId: string;
  executionId: string;
  turns: string[];
}

async function recordHelloSequence(): Promise<Template> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-large-record-'));
  const emu = await Emulator.start({ appDir: APP, port: 0, dataDir });
  const turns: Transaction[] = [];
  const commit = emu.store.commit.bind(emu.store);
  emu.store.commit = (tx) => {
    const { upsertInstances, appendHistory, replaceHistory } = tx;
    turns.push(JSON.parse(JSON.stringify({ upsertInstances, appendHistory, replaceHistory })));
    return commit(tx);
  };
  try {
    const reply = await new Promise<string>((resolve, reject) => {
      const url = `${emu.httpUrl}/runtime/webhooks/durabletask/orchestrators/HelloSequence?timeout=60&pollingInterval=1`;
      http.request(url, { method: 'POST' }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HelloSequence answered ${res.statusCode}`))));
      }).on('error', reject).end();
    });
    const row = turns.find((t) => t.upsertInstances?.length)!.upsertInstances![0];
    const own = turns.filter((t) => t.upsertInstances?.some((r) => r.instanceId === row.instanceId) || t.appendHistory?.length);
    const last = own[own.length - 1].upsertInstances![0];
    if (last.runtimeStatus !== 'Completed' || last.output !== reply) throw new Error('the recorded hello sequence did not complete');
    return { instanceId: row.instanceId, executionId: last.executionId, turns: own.map((t) => JSON.stringify(t)) };
  } finally {
    await emu.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function load(dir: string, template: Template, instances: number): Promise<void> {
  const store = await openStore(dir);
  const t0 = performance.now();
  const base = Date.now() - instances;
  let inFlight: Array<Promise<void>> = [];
  for (let n = 0; n < instances; n++) {
    const id = `hello-${String(n).padStart(6, '0')}`;
    for (const turn of template.turns) {
      const tx = JSON.parse(turn.replaceAll(template.instanceId, id).replaceAll(template.executionId, `${id}-x`)) as Transaction;
      // Spread over time, so that the default order (createdTime) pages through distinct values.
      for (const row of tx.upsertInstances ?? []) row.createdTime = base + n;
      inFlight.push(store.commit(tx));
    }
    if (inFlight.length >= 5_000) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  const loadMs = performance.now() - t0;
  const rss = rssMiB(process.pid);
  // As a SIGKILL now would leave it (the last checkpoint and the journal since), and after a clean stop.
  fs.cpSync(dir, `${dir}-killed`, { recursive: true });
  fs.rmSync(path.join(`${dir}-killed`, 'store.lock'), { force: true });
  await store.close();
  send({ loadMs, rss });
  process.exit(0);
}

interface ColdStart {
  openMs: number;
  replayed: number;
  rss: number;
  pageMs: number;
  filteredMs: number;
  total: number;
  countMs: number;
  rssAfter: number;
}

async function coldStart(dir: string): Promise<void> {
  const t0 = performance.now();
  const store = await openStore(dir);
  const openMs = performance.now() - t0;
  const rss = rssMiB(process.pid);
  const page = (query: Parameters<typeof store.queryInstances>[0]) => {
    let token: string | undefined;
    const t = performance.now();
    for (let i = 0; i < 20; i++) token = store.queryInstances({ ...query, top: 50, continuationToken: token }).continuationToken ?? undefined;
    return (performance.now() - t) / 20;
  };
  const pageMs = page({});
  const filteredMs = page({ runtimeStatus: ['Completed'], name: 'HelloSequence' });
  const t1 = performance.now();
  const total = store.countInstances({});
  const countMs = performance.now() - t1;
  const result: ColdStart = { openMs, replayed: store.recovery.replayed, rss, pageMs, filteredMs, total, countMs, rssAfter: rssMiB(process.pid) };
  send(result);
  await store.close();
  process.exit(0);
}

function send(message: unknown): void {
  process.send!(message);
}

function phase<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, args, { stdio: 'inherit' });
    let result: T | undefined;
    child.on('message', (m) => (result = m as T));
    child.on('exit', (code) => (result !== undefined ? resolve(result) : reject(new Error(`${args[0]} exited with ${code}`))));
  });
}

function folderMiB(dir: string): number {
  return fs.readdirSync(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0) / MiB;
}

export async function runLargeStoreBench(instances = 100_000): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-large-'));
  try {
    const templateFile = path.join(root, 'template.json');
    const template = await recordHelloSequence();
    fs.writeFileSync(templateFile, JSON.stringify(template));
    const dir = path.join(root, 'data');
    const loaded = await phase<{ loadMs: number; rss: number }>(['load', dir, templateFile, String(instances)]);
    console.log(
      `${instances} hello-sequence instances (${template.turns.length} commits each) committed in ${(loaded.loadMs / 1000).toFixed(1)} s; ` +
        `data folder ${folderMiB(dir).toFixed(0)} MiB; RSS right after the load ${loaded.rss.toFixed(0)} MiB (target < 500)`,
    );
    for (const [label, folder] of [['after a clean stop', dir], ['after a SIGKILL', `${dir}-killed`]]) {
      const cold = await phase<ColdStart>(['open', folder]);
      console.log(
        `cold start ${label} (checkpoint + ${cold.replayed} journal records): ${cold.openMs.toFixed(0)} ms (target < 1000), RSS ${cold.rss.toFixed(0)} MiB; ` +
          `page of 50: ${cold.pageMs.toFixed(2)} ms (target < 10), with status + name filter ${cold.filteredMs.toFixed(2)} ms; ` +
          `count of ${cold.total}: ${cold.countMs.toFixed(0)} ms; RSS after the queries ${cold.rssAfter.toFixed(0)} MiB`,
      );
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [mode, dir, arg1, arg2] = process.argv.slice(2);
  const run =
    mode === 'load'
      ? load(dir, JSON.parse(fs.readFileSync(arg1, 'utf8')) as Template, Number(arg2))
      : mode === 'open'
        ? coldStart(dir)
        : runLargeStoreBench(mode ? Number(mode) : undefined);
  run.catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
