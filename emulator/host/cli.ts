#!/usr/bin/env node
/**
 * durable-emulator: runs a Durable Functions app from its folder. Prints one JSON ready line on
 * stdout, then human-readable logs; SIGINT/SIGTERM flush storage and exit 0.
 */
import { Emulator, EmulatorOptions } from './emulator';
import { Logger, formatLogLine } from './logger';

const USAGE = `Usage: durable-emulator [options]

Runs an unmodified Durable Functions (durable-functions v3, @azure/functions v4) app locally.

Options:
  --app DIR          the app folder (default: the current folder)
  --port N           HTTP port for the Durable API and the app's functions (default 7071; 0 = any free port)
  --host ADDR        address to listen on (default 127.0.0.1)
  --data DIR         where instances and history are kept (default <app>/.durable-emulator)
  --build            run the app's "npm run build" first (TypeScript apps)
  --watch            reload the app when its compiled output changes; with --build, also run
                     the app's "npm run watch" (e.g. tsc -w) so that saving a source file reloads it
  --inspect[=PORT]   start the app's worker under the Node inspector (for breakpoints)
  --node PATH        the node executable for the app's worker (default: the one running the emulator)
  --max-body BYTES   largest request body accepted (default 16777216)
  --worker-heap MB   heap limit of the app's worker process (default 1024; NODE_OPTIONS may set it instead)
  --parent-pid PID   stop when that process exits (used by the VS Code extension)
  -h, --help         show this help
`;

export class UsageError extends Error {}

export function parseArgs(argv: string[]): EmulatorOptions {
  const options: EmulatorOptions = { appDir: process.cwd() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`${flag} needs a value.`);
      return v;
    };
    const number = (name: string, v: string, min: number, max: number) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not '${v}'.`);
      return n;
    };
    switch (flag) {
      case '--app':
        options.appDir = value();
        break;
      case '--port':
        options.port = number('--port', value(), 0, 65535);
        break;
      case '--host':
        options.host = value();
        break;
      case '--data':
        options.dataDir = value();
        break;
      case '--build':
        options.build = true;
        break;
      case '--watch':
        options.watch = true;
        break;
      case '--inspect':
        options.inspect = inline ?? true;
        break;
      case '--node':
        options.nodePath = value();
        break;
      case '--max-body':
        options.maxBody = number('--max-body', value(), 1024, 2 ** 31);
        break;
      case '--worker-heap':
        options.workerHeapMb = number('--worker-heap', value(), 64, 65536);
        break;
      case '--parent-pid':
        options.parentPid = number('--parent-pid', value(), 1, 2 ** 31);
        break;
      case '-h':
      case '--help':
        throw new UsageError('');
      default:
        throw new UsageError(`Unknown option '${arg}'.`);
    }
  }
  return options;
}

/** Runs the emulator until SIGINT/SIGTERM (or the parent process is gone), then exits the process. */
async function main(argv: string[]): Promise<void> {
  let options: EmulatorOptions;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) process.stderr.write(`durable-emulator: ${error.message}\n\n`);
    process.stderr.write(USAGE);
    process.exit(error.message ? 2 : 0);
  }
  const logger = new Logger(null);
  const pending: string[] = [];
  let ready = false;
  const stdout = new LineWriter();
  logger.on('entry', (e) => {
    const line = formatLogLine(e);
    if (ready) stdout.write(line);
    else pending.push(line);
  });
  // Handlers go in before start: a tool may stop us as soon as it reads the ready line.
  let emulator: Emulator | undefined;
  let exiting = false;
  const shutdown = (signal: string) => {
    if (exiting) return;
    exiting = true;
    if (!emulator) return; // start() finishes first, then sees `exiting`
    logger.info(`${signal}: flushing storage and stopping.`);
    emulator.stop().then(
      () => stdout.flush(() => process.exit(0)),
      (error) => {
        process.stderr.write(`durable-emulator: error while stopping: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  try {
    emulator = await Emulator.start({ ...options, logger });
  } catch (error) {
    for (const line of pending) process.stderr.write(`${line}\n`);
    process.stderr.write(`durable-emulator: ${(error as Error).message}\n`);
    process.exit(1);
  }
  // The ready line comes first so that tools can read it without parsing logs.
  process.stdout.write(`${JSON.stringify(emulator.readyInfo())}\n`);
  ready = true;
  for (const line of pending) process.stdout.write(`${line}\n`);
  logger.info(`Durable Functions emulator listening on ${emulator.httpUrl} (app ${emulator.config.appDir}, hub ${emulator.config.hubName})`);
  if (exiting) {
    exiting = false;
    shutdown('signal during start-up');
  }
  if (options.parentPid) watchParent(options.parentPid, () => shutdown(`parent process ${options.parentPid} exited`));
}

/**
 * Log lines go out together, at most every FLUSH_MS: a busy app logs two lines per function execution
 * and the Durable extension's lines per orchestration, and a write to a pipe (synchronous on Linux) costs
 * far more than the lines themselves. Once per event-loop turn was still a write every ~0.1 ms under
 * load, a tenth of the host's main thread.
 */
const FLUSH_MS = 15;

class LineWriter {
  private lines: string[] = [];

  write(line: string): void {
    if (this.lines.push(line) === 1) setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(done?: () => void): void {
    const text = this.lines.length ? `${this.lines.join('\n')}\n` : '';
    this.lines = [];
    if (done) process.stdout.write(text, () => done());
    else if (text) process.stdout.write(text);
  }
}

function watchParent(pid: number, onGone: () => void): void {
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
        clearInterval(timer);
        onGone();
      }
    }
  }, 1000);
  timer.unref();
}

/** `main`, with an unexpected error reported and the process exited 1. */
export function run(argv: string[]): void {
  main(argv).catch((error) => {
    process.stderr.write(`durable-emulator: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
}

if (require.main === module) run(process.argv.slice(2));
