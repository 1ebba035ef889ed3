/**
 * The emulator as a child process: spawns the bundled CLI with the user's node, waits for its JSON
 * ready line, forwards the log lines after it and reports an exit we did not ask for.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as readline from 'node:readline';

export interface ReadyInfo {
  http: string;
  ws: string;
  token: string;
  dataDir: string;
  pid: number;
}

export interface SpawnOptions {
  nodePath: string;
  cliPath: string;
  appDir: string;
  dataDir: string;
  port: number;
  inspect?: boolean;
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

/** Events: 'stdout' (line), 'stderr' (line), 'exit' (code, signal, expected). */
export class EmulatorProcess extends EventEmitter {
  private stopRequested = false;
  private exited = false;
  private readonly exitPromise: Promise<void>;
  /** The last stderr lines, quoted when the process dies. */
  readonly recentErrors: string[] = [];

  private constructor(private readonly child: ChildProcess) {
    super();
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = true;
        this.emit('exit', code, signal, this.stopRequested);
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Spawns the CLI and resolves with its ready line; rejects (with the CLI's own words) when it fails first. */
  static start(options: SpawnOptions): Promise<{ process: EmulatorProcess; ready: ReadyInfo }> {
    const args = [options.cliPath, '--app', options.appDir, '--data', options.dataDir, '--port', String(options.port)];
    if (options.inspect) args.push('--inspect');
    // If the extension host dies without deactivating, the emulator goes with it instead of lingering.
    args.push('--parent-pid', String(process.pid));
    // The extension host may run under Electron: never leak its run-as-node switch to the user's node.
    const env = { ...process.env, ...options.env };
    delete env.ELECTRON_RUN_AS_NODE;
    const child = spawn(options.nodePath, args, { cwd: options.appDir, env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const emulator = new EmulatorProcess(child);
    return new Promise((resolve, reject) => {
      let ready = false;
      const stderr: string[] = [];
      const fail = (message: string) => {
        if (ready) return;
        ready = true;
        clearTimeout(timer);
        if (!emulator.exited) child.kill('SIGKILL');
        reject(new Error(message));
      };
      const timer = setTimeout(
        () => fail(`The emulator did not become ready within ${(options.readyTimeoutMs ?? 30_000) / 1000} s.`),
        options.readyTimeoutMs ?? 30_000,
      );
      child.once('error', (error: NodeJS.ErrnoException) =>
        fail(
          error.code === 'ENOENT'
            ? `Cannot run Node.js as '${options.nodePath}'. Install Node.js 20+ or set durableEmulator.nodePath.`
            : `Cannot start the emulator: ${error.message}`,
        ),
      );
      child.once('exit', (code, signal) => {
        const detail = stderr.filter((l) => l.trim() && !l.startsWith('Usage:')).slice(-5).join('\n');
        fail(`The emulator exited before it was ready (${signal ?? `code ${code}`})${detail ? `: ${detail}` : '.'}`);
      });
      readline.createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!ready && line.startsWith('{')) {
          try {
            const info = JSON.parse(line) as ReadyInfo & { event?: string };
            if (info.event === 'ready') {
              ready = true;
              clearTimeout(timer);
              resolve({ process: emulator, ready: info });
              return;
            }
          } catch {
            // Not the ready line: an ordinary log line.
          }
        }
        emulator.emit('stdout', line);
      });
      readline.createInterface({ input: child.stderr! }).on('line', (line) => {
        stderr.push(line);
        emulator.recentErrors.push(line);
        if (emulator.recentErrors.length > 20) emulator.recentErrors.shift();
        emulator.emit('stderr', line);
      });
    });
  }

  /** SIGTERM (the CLI flushes storage and exits 0), then SIGKILL if it takes longer than `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    this.stopRequested = true;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }
}
