/**
 * `--build` and `--build --watch`: the app's own npm scripts, as Core Tools runs them (`func start
 * --build` would run `npm run build`): "build" once before loading the app, and with --watch its "watch"
 * script (the templates' `tsc -w`) for as long as the emulator runs. Their output goes to the log;
 * compiler errors at error level.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from './logger';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function appScripts(appDir: string): Record<string, string> {
  try {
    return JSON.parse(fs.readFileSync(path.join(appDir, 'package.json'), 'utf8')).scripts ?? {};
  } catch {
    return {};
  }
}

/** tsc's diagnostics ("file.ts(3,5): error TS2322: ...", "Found 2 errors.") are errors; other output is information. */
function levelOf(line: string): 'error' | 'information' {
  return /\berror TS\d+:|^Found [1-9]\d* errors?\b/.test(line) ? 'error' : 'information';
}

function runScript(appDir: string, script: string, logger: Logger, detached: boolean): ChildProcess {
  // On POSIX the script gets a process group of its own, so that stopping it stops what it started (npm → sh → tsc).
  const child = spawn(NPM, ['run', script], { cwd: appDir, stdio: ['ignore', 'pipe', 'pipe'], detached: detached && process.platform !== 'win32' });
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split(/\r?\n/)) if (line.trim()) logger.log(levelOf(line), script, line);
  };
  child.stdout!.on('data', forward);
  child.stderr!.on('data', forward);
  return child;
}

export function runAppBuild(appDir: string, logger: Logger): Promise<boolean> {
  if (!appScripts(appDir).build) {
    logger.warn(`--build: ${path.join(appDir, 'package.json')} has no "build" script; skipping the build.`);
    return Promise.resolve(true);
  }
  logger.info(`Building the app: npm run build (in ${appDir})`);
  return new Promise((resolve) => {
    const child = runScript(appDir, 'build', logger, false);
    child.on('error', (error) => {
      logger.error(`The build could not start: ${error.message}`);
      resolve(false);
    });
    child.on('exit', (code) => {
      if (code === 0) logger.info('Build succeeded.');
      else logger.error(`The build failed (npm run build exited with ${code}); the emulator keeps running with the last output.`);
      resolve(code === 0);
    });
  });
}

/**
 * Starts the app's "watch" script; returns what stops it (and everything it started), or null when the
 * app has none.
 */
export function startWatchScript(appDir: string, logger: Logger): (() => void) | null {
  const script = appScripts(appDir).watch;
  if (!script) {
    logger.warn(`--build --watch: ${path.join(appDir, 'package.json')} has no "watch" script; run your compiler in watch mode yourself.`);
    return null;
  }
  logger.info(`Watching the app's sources: npm run watch (${script})`);
  const child = runScript(appDir, 'watch', logger, true);
  let stopping = false;
  child.on('error', (error) => logger.error(`npm run watch could not start: ${error.message}`));
  child.on('exit', (code, signal) => {
    if (!stopping) logger.warn(`npm run watch stopped (${signal ?? `exit code ${code}`}); saved sources are no longer compiled.`);
  });
  return () => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    if (process.platform === 'win32') spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore' });
    else {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
    }
  };
}
