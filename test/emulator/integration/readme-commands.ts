/**
 * The commands of a README's fenced bash blocks, and what runs them as a user would: one bash session
 * per README (so `ID=$(...)` carries over to the next command), long-running commands (the emulator, a
 * stub server) as process groups of their own, stopped at the end.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as net from 'node:net';

/** Each command of the ```bash blocks: continuation lines joined, comment-only and blank lines dropped. */
export function readmeCommands(markdown: string): string[] {
  const commands: string[] = [];
  for (const block of markdown.matchAll(/^```bash\n([\s\S]*?)^```/gm)) {
    let pending = '';
    for (const line of block[1].split('\n')) {
      if (!pending && (!line.trim() || line.trim().startsWith('#'))) continue;
      if (line.endsWith('\\')) {
        pending += `${line.slice(0, -1).trimEnd()} `;
        continue;
      }
      commands.push(`${pending}${line.trim()}`);
      pending = '';
    }
  }
  return commands;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const MARK = '__readme_command_done__';

/** A bash session; `run` answers each command's combined output and exit code. */
export class Shell {
  private readonly proc: ChildProcess;
  private buffer = '';
  private waiting: ((text: string) => void) | null = null;

  constructor(cwd: string) {
    this.proc = spawn('bash', ['--norc', '--noprofile'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const take = (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      const at = this.buffer.indexOf(`${MARK} `);
      const end = at < 0 ? -1 : this.buffer.indexOf('\n', at);
      if (end >= 0 && this.waiting) {
        const text = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 1);
        this.waiting(text);
      }
    };
    this.proc.stdout!.on('data', take);
    this.proc.stderr!.on('data', take);
    // curl fails on an HTTP error status (4xx/5xx) and never hangs a test.
    this.proc.stdin!.write('exec 2>&1\nset -o pipefail\ncurl() { command curl --fail --max-time 60 "$@"; }\n');
  }

  run(command: string): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
      this.waiting = (text) => {
        this.waiting = null;
        const at = text.lastIndexOf(`${MARK} `);
        resolve({ code: Number(text.slice(at + MARK.length + 1)), output: text.slice(0, at) });
      };
      this.proc.stdin!.write(`${command}\necho; echo "${MARK} $?"\n`);
    });
  }

  close(): Promise<void> {
    return stopProcess(this.proc, () => this.proc.stdin!.end('exit\n'));
  }
}

/** A long-running command in a process group of its own, with its output kept. */
export class Background {
  readonly output: string[] = [];
  readonly proc: ChildProcess;

  constructor(command: string, cwd: string, env: NodeJS.ProcessEnv) {
    this.proc = spawn('bash', ['-c', command], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let rest = '';
    const take = (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop()!;
      this.output.push(...lines);
    };
    this.proc.stdout!.on('data', take);
    this.proc.stderr!.on('data', take);
  }

  get exited(): boolean {
    return this.proc.exitCode !== null || this.proc.signalCode !== null;
  }

  /** SIGTERM to the whole group (npm, the shell and node), SIGKILL if it is still there after 10 s. */
  stop(): Promise<void> {
    return stopProcess(this.proc, () => signalGroup(this.proc, 'SIGTERM'), () => signalGroup(this.proc, 'SIGKILL'));
  }
}

function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-proc.pid!, signal);
  } catch {
    // already gone
  }
}

function stopProcess(proc: ChildProcess, ask: () => void, force: () => void = () => proc.kill('SIGKILL')): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(force, 10_000);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    ask();
  });
}
