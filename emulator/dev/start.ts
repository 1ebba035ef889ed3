/**
 * `npm start [-- options]` in this repository: the emulator on one of the samples (samples/hello unless
 * `--app` names another app), ready in about a second when nothing changed. The start script compiles the
 * emulator with `tsc -b` (which does nothing while out/ is current); this compiles the chosen app the
 * same way when it is a TypeScript app, and then runs the emulator's command line in this process.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs, run } from '../host/cli';
import type { EmulatorOptions } from '../host/emulator';

const REPO = path.resolve(__dirname, '..', '..', '..');
const DEFAULT_APP = path.join(REPO, 'samples', 'hello');

/** `tsc -b` of the app's tsconfig.json: an up-to-date check when nothing changed, else an incremental compile. */
function compileApp(appDir: string): void {
  if (!fs.existsSync(path.join(appDir, 'tsconfig.json'))) return;
  const tsc = require.resolve('typescript/bin/tsc', { paths: [appDir, REPO] });
  const result = spawnSync(process.execPath, [tsc, '-b', appDir], { stdio: 'inherit' });
  if (result.status !== 0) process.stderr.write(`npm start: compiling ${appDir} failed (see above); starting with its last output.\n`);
}

// The command line's own parser; a later --app (the caller's) overrides this default.
const args = ['--app', DEFAULT_APP, ...process.argv.slice(2)];
let options: EmulatorOptions | undefined;
try {
  options = parseArgs(args);
} catch {
  // A usage error: the command line below says what is wrong.
}
// --build runs the app's own build script instead.
if (options && !options.build) compileApp(path.resolve(options.appDir));
run(args);
