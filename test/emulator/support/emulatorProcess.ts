/**
 * Test harness: the emulator CLI as a real child process on port 0, with its ready line parsed,
 * its logs captured, and everything it made cleaned up.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..', '..', '..');
export const CLI = path.join(REPO, 'out', 'emulator', 'host', 'cli.js');
export const FIXTURES = path.join(REPO, 'test', 'fixtures', 'apps');

export interface ReadyLine {
  event: 'ready';
  http: string;
  ws: string;
  token: string;
  dataDir: string;
  pid: number;
}

export interface RunningEmulator extends ReadyLine {
  proc: ChildProcess;
  logs: string[];
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

const temps: string[] = [];
const running = new Set<ChildProcess>();

export function tempDir(prefix = 'durable-emulator-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** Kills every emulator the tests started and removes every temp folder; call from a root after hook. */
export async function cleanupAll(): Promise<void> {
  await Promise.all([...running].map((proc) => killProcess(proc)));
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

function killProcess(proc: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    running.delete(proc);
    return Promise.resolve(proc.exitCode);
  }
  return new Promise((resolve) => {
    proc.once('exit', (code) => {
      running.delete(proc);
      resolve(code);
    });
    proc.kill(signal);
  });
}

export interface StartOptions {
  app: string;
  dataDir?: string;
  args?: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
}

export function fixtureApp(name: string): string {
  return path.join(FIXTURES, name);
}

export function startEmulator(options: StartOptions): Promise<RunningEmulator> {
  const dataDir = options.dataDir ?? tempDir();
  const args = [CLI, '--app', options.app, '--port', '0', '--data', dataDir, ...(options.args ?? [])];
  const proc = spawn(process.execPath, args, { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  const logs: string[] = [];
  const listeners = new Set<() => void>();
  let buffer = '';
  const onLine = (line: string) => {
    logs.push(line);
    for (const listener of listeners) listener();
  };
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
    }
  });
  proc.stderr!.on('data', (chunk: Buffer) => chunk.toString('utf8').split('\n').filter(Boolean).forEach(onLine));

  const waitForLog = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const hit = logs.find((l) => pattern.test(l));
        if (hit) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`No log line matched ${pattern} within ${timeoutMs} ms. Logs:\n${logs.slice(-40).join('\n')}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void killProcess(proc);
      reject(new Error(`The emulator did not print its ready line. Output:\n${logs.join('\n')}`));
    }, options.timeoutMs ?? 60_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The emulator exited with ${code} before it was ready. Output:\n${logs.join('\n')}`));
    });
    const check = () => {
      const line = logs.find((l) => l.startsWith('{"event":"ready"'));
      if (!line) return;
      listeners.delete(check);
      clearTimeout(timer);
      proc.removeAllListeners('exit');
      proc.on('exit', () => running.delete(proc));
      const ready = JSON.parse(line) as ReadyLine;
      resolve({
        ...ready,
        proc,
        logs,
        stop: () => killProcess(proc, 'SIGTERM'),
        kill: async () => void (await killProcess(proc, 'SIGKILL')),
        waitForLog,
      });
    };
    listeners.add(check);
  });
}

/** One emulator on the scenarios fixture for the enclosing describe block; the getter returns it. */
export function useEmulator(): () => RunningEmulator {
  let emu: RunningEmulator | undefined;
  before(async function () {
    this.timeout(90_000);
    emu = await startEmulator({ app: fixtureApp('scenarios') });
  });
  after(async function () {
    this.timeout(30_000);
    await emu?.stop();
  });
  return () => {
    if (!emu) throw new Error('the emulator did not start');
    return emu;
  };
}
