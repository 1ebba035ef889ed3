/**
 * The emulator CLI as a child process: spawns it, reads its ready line (emulator/protocol/launch.ts),
 * passes the log lines after it on, and stops it. The one launcher of the extension, the tests and the
 * benchmarks.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as readline from 'node:readline';
import { parseReadyLine, type ReadyLine } from '../protocol/launch';

export interface LaunchOptions {
  /** The CLI script (out/emulator/host/cli.js, or dist/emulator/host/cli.js in the .vsix). */
  cliPath: string;
  appDir: string;
  dataDir: string;
  /** 0 = any free port. */
  port: number;
  /** The Node.js that runs the CLI. Default: the one running this process. */
  nodePath?: string;
  inspect?: boolean;
  /** The CLI stops when this process exits (an editor that dies without stopping it). */
  parentPid?: number;
  /** More CLI options. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Default 30 s. */
  readyTimeoutMs?: number;
}

/** How many stderr lines `recentErrors` keeps, quoted when the process dies. */
const RECENT_ERRORS = 20;

/** Events: 'stdout' (line), 'stderr' (line), 'exit' (code, signal, expected: whether stop() asked for it). */
export class EmulatorProcess extends EventEmitter {
  /** Resolves with the ready line; rejects (with the CLI's own words) when the CLI fails or exits first. */
  readonly ready: Promise<ReadyLine>;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** The last stderr lines. */
  readonly recentErrors: string[] = [];
  private stopRequested = false;
  private hasExited = false;

  private constructor(
    readonly child: ChildProcess,
    options: LaunchOptions,
  ) {
    super();
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.hasExited = true;
        this.emit('exit', code, signal, this.stopRequested);
        resolve(code);
      });
    });
    this.ready = this.readReadyLine(options);
  }

  /** Spawns the CLI; listen to the events before awaiting `ready` to see every line. */
  static launch(options: LaunchOptions): EmulatorProcess {
    const args = [options.cliPath, '--app', options.appDir, '--data', options.dataDir, '--port', String(options.port)];
    if (options.inspect) args.push('--inspect');
    if (options.parentPid) args.push('--parent-pid', String(options.parentPid));
    args.push(...(options.args ?? []));
    // An extension host runs under Electron: never leak its run-as-node switch to the user's node.
    const env = { ...process.env, ...options.env };
    delete env.ELECTRON_RUN_AS_NODE;
    const nodePath = options.nodePath ?? process.execPath;
    const child = spawn(nodePath, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    return new EmulatorProcess(child, { ...options, nodePath });
  }

  /** Spawns the CLI and waits for its ready line; on failure the process is gone. */
  static async start(options: LaunchOptions): Promise<{ process: EmulatorProcess; ready: ReadyLine }> {
    const emulator = EmulatorProcess.launch(options);
    return { process: emulator, ready: await emulator.ready };
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isRunning(): boolean {
    return !this.hasExited;
  }

  /** SIGTERM (the CLI flushes storage and exits 0), then SIGKILL if it takes longer than `graceMs`. */
  async stop(graceMs = 5000): Promise<number | null> {
    if (this.hasExited) return this.exited;
    this.stopRequested = true;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** SIGKILL and wait: a crash, as far as the emulator's storage knows. */
  async kill(): Promise<void> {
    if (this.hasExited) return;
    this.stopRequested = true;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  private readReadyLine(options: LaunchOptions): Promise<ReadyLine> {
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (message: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!this.hasExited) this.child.kill('SIGKILL');
        reject(new Error(message));
      };
      const timer = setTimeout(() => fail(`The emulator did not become ready within ${timeoutMs / 1000} s.`), timeoutMs);
      this.child.once('error', (error: NodeJS.ErrnoException) =>
        fail(
          error.code === 'ENOENT'
            ? `Cannot run Node.js as '${options.nodePath}'. Install Node.js 20+ or set durableEmulator.nodePath.`
            : `Cannot start the emulator: ${error.message}`,
        ),
      );
      this.child.once('exit', (code, signal) => {
        const detail = this.recentErrors.filter((l) => l.trim() && !l.startsWith('Usage:')).slice(-5).join('\n');
        fail(`The emulator exited before it was ready (${signal ?? `code ${code}`})${detail ? `: ${detail}` : '.'}`);
      });
      readline.createInterface({ input: this.child.stdout! }).on('line', (line) => {
        const ready = settled ? undefined : parseReadyLine(line);
        if (!ready) return void this.emit('stdout', line);
        settled = true;
        clearTimeout(timer);
        resolve(ready);
      });
      readline.createInterface({ input: this.child.stderr! }).on('line', (line) => {
        this.recentErrors.push(line);
        if (this.recentErrors.length > RECENT_ERRORS) this.recentErrors.shift();
        this.emit('stderr', line);
      });
    });
  }
}
