/** `--build` and `--watch`: compile the app with its own build script, reload the worker when its output changes. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from './logger';

export function runAppBuild(appDir: string, logger: Logger): Promise<boolean> {
  const pkg = path.join(appDir, 'package.json');
  let hasBuild = false;
  try {
    hasBuild = !!JSON.parse(fs.readFileSync(pkg, 'utf8')).scripts?.build;
  } catch {
    hasBuild = false;
  }
  if (!hasBuild) {
    logger.warn(`--build: ${pkg} has no "build" script; skipping the build.`);
    return Promise.resolve(true);
  }
  logger.info(`Building the app: npm run build (in ${appDir})`);
  return new Promise((resolve) => {
    const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { cwd: appDir, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split(/\r?\n/)) if (line.trim()) logger.log('information', 'build', line);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
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

const IGNORED = /(^|[\\/])(node_modules|\.git|\.durable-emulator)([\\/]|$)/;
const WATCHED = /\.(c|m)?js$|\.json$/;

/** Calls `onChange` (debounced) when compiled output or configuration in the app folder changes. */
export function watchApp(appDir: string, dataDir: string, onChange: (file: string) => void): () => void {
  let timer: NodeJS.Timeout | null = null;
  let last = '';
  const dataRel = path.relative(appDir, dataDir);
  const watcher = fs.watch(appDir, { recursive: true }, (_event, file) => {
    if (!file) return;
    const name = file.toString();
    if (IGNORED.test(name) || !WATCHED.test(name) || (dataRel && !dataRel.startsWith('..') && name.startsWith(dataRel))) return;
    last = name;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => onChange(last), 300);
  });
  return () => {
    if (timer) clearTimeout(timer);
    watcher.close();
  };
}
