/**
 * Test harness: the emulator CLI as a real child process on port 0 (through the shared launcher,
 * emulator/client/emulatorProcess.ts), with its logs captured and everything it made cleaned up.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmulatorProcess } from '../../../emulator/client/emulatorProcess';
import type { ReadyLine } from '../../../emulator/protocol/launch';

export const REPO = path.resolve(__dirname, '..', '..', '..', '..');
export const CLI = path.join(REPO, 'out', 'emulator', 'host', 'cli.js');
export const FIXTURES = path.join(REPO, 'test', 'fixtures', 'apps');

export interface RunningEmulator extends ReadyLine {
  proc: ChildProcess;
  /** Every stdout line after the ready line and every stderr line, in arrival order. */
  logs: string[];
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

const temps: string[] = [];
const running = new Set<EmulatorProcess>();

export function tempDir(prefix = 'durable-emulator-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** Kills every emulator the tests started and removes every temp folder; call from a root after hook. */
export async function cleanupAll(): Promise<void> {
  await Promise.all([...running].map((emulator) => emulator.kill()));
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
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

export async function startEmulator(options: StartOptions): Promise<RunningEmulator> {
  const emulator = EmulatorProcess.launch({
    cliPath: CLI,
    appDir: options.app,
    dataDir: options.dataDir ?? tempDir(),
    port: 0,
    args: options.args,
    env: options.env,
    readyTimeoutMs: options.timeoutMs ?? 60_000,
  });
  running.add(emulator);
  void emulator.exited.then(() => running.delete(emulator));
  const logs: string[] = [];
  const listeners = new Set<() => void>();
  const onLine = (line: string) => {
    logs.push(line);
    for (const listener of listeners) listener();
  };
  emulator.on('stdout', onLine);
  emulator.on('stderr', onLine);

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

  let ready: ReadyLine;
  try {
    ready = await emulator.ready;
  } catch (error) {
    throw new Error(`${(error as Error).message}\nOutput:\n${logs.join('\n')}`);
  }
  return {
    ...ready,
    proc: emulator.child,
    logs,
    stop: () => emulator.stop(30_000),
    kill: () => emulator.kill(),
    waitForLog,
  };
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
