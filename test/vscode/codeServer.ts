/**
 * A real VS Code (code-server 4.139.1 = VS Code 1.139.1, Node 24 extension host) for tests: one instance per
 * call, on 127.0.0.1 and a free port, with a fresh state folder (config, user data, extensions, XDG data,
 * TMPDIR) that stop() removes after killing the whole process tree.
 *
 * See /work/shared/reference/real-vscode-here.md; the tools come from install.ts.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureInstalled, ToolPaths } from './install';

export const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export interface CodeServerOptions {
  /** Port to listen on; 0 or undefined picks a free one. */
  port?: number;
  /** Pass `--vscode-option enable-smoke-test-driver` (needed for the extension-test payload). */
  smokeTestDriver?: boolean;
  /** .vsix files installed with `--install-extension` before the server starts. */
  vsix?: string[];
  /**
   * Extension folders copied into `<extensions>/<publisher>.<name>-<version>/` (read from their package.json).
   * `exclude` is matched against paths relative to the folder; `.git` is always skipped.
   */
  extensionFolders?: (string | { path: string; exclude?: (relativePath: string) => boolean })[];
  /** Merged over DEFAULT_SETTINGS into the user settings.json. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server (and so for its extension host). */
  env?: NodeJS.ProcessEnv;
  /** Extra command-line arguments. */
  args?: string[];
  /** Echo code-server's output to stderr as it comes (also when DEBUG_CODE_SERVER=1). */
  verbose?: boolean;
  startTimeoutMs?: number;
}

export interface RunningCodeServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  host: string;
  port: number;
  pid: number;
  stateDir: string;
  userDataDir: string;
  extensionsDir: string;
  proc: ChildProcess;
  /** Everything code-server printed so far. */
  logs: string[];
  tools: ToolPaths;
  /** Milliseconds from spawn to a healthy /healthz. */
  startMs: number;
  /** The workbench URL for a folder (or .code-workspace file), with an optional smoke-test-driver payload. */
  workbenchUrl(folder?: string, payload?: [string, string][]): string;
  /** A vscode-remote:// URI for an absolute path on this server, as the payload wants. */
  remoteUri(absPath: string): string;
  /** Kills the whole process tree, waits for it, removes the state folder. Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const running = new Set<RunningCodeServer>();

export function getFreePort(host = HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

// ------------------------------------------------------------------------------ process-tree helpers

/** All descendants of pid (children first-level and below), read from /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...  — comm may contain spaces or parentheses: split after the last ')'.
      const ppid = parseInt(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1], 10);
      const list = children.get(ppid) ?? [];
      list.push(parseInt(entry, 10));
      children.set(ppid, list);
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    // A zombie still answers kill(0); treat it as gone.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone */
  }
}

async function waitUntil(cond: () => boolean, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return cond();
}

/**
 * Kills a process started with `detached: true` (its own process group) and every descendant, even those
 * that left the group: SIGTERM, then SIGKILL after graceMs, then waits until none is alive.
 */
export async function killTree(pid: number, graceMs = 3000): Promise<void> {
  const pids = new Set<number>([pid, ...descendants(pid)]);
  signal(-pid, 'SIGTERM');
  for (const p of pids) signal(p, 'SIGTERM');
  const gone = await waitUntil(() => {
    for (const p of descendants(pid)) pids.add(p);
    return [...pids].every((p) => !alive(p));
  }, graceMs);
  if (!gone) {
    for (const p of descendants(pid)) pids.add(p);
    signal(-pid, 'SIGKILL');
    for (const p of pids) signal(p, 'SIGKILL');
    await waitUntil(() => [...pids].every((p) => !alive(p)), 10_000);
  }
}

// ------------------------------------------------------------------------------------- extensions

interface ExtensionManifest {
  publisher: string;
  name: string;
  version: string;
}

export function readManifest(folder: string): ExtensionManifest {
  const pkg = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')) as Partial<ExtensionManifest>;
  if (!pkg.publisher || !pkg.name || !pkg.version) throw new Error(`${folder}/package.json needs publisher, name and version`);
  return pkg as ExtensionManifest;
}

/** Copies an extension folder to `<extensionsDir>/<publisher>.<name>-<version>/`; returns that folder. */
export function copyExtensionFolder(folder: string, extensionsDir: string, exclude?: (relativePath: string) => boolean): string {
  const source = path.resolve(folder);
  const m = readManifest(source);
  const target = path.join(extensionsDir, `${m.publisher}.${m.name}-${m.version}`.toLowerCase());
  fs.cpSync(source, target, {
    recursive: true,
    dereference: true,
    filter: (src) => {
      const rel = path.relative(source, src);
      if (rel === '') return true;
      if (rel.split(path.sep)[0] === '.git') return false;
      return !exclude?.(rel);
    },
  });
  return target;
}

// ------------------------------------------------------------------------------------------ start

function makeStateDir(settings: Record<string, unknown>) {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dfe-code-server-'));
  const dirs = {
    stateDir,
    config: path.join(stateDir, 'config.yaml'),
    userDataDir: path.join(stateDir, 'data'),
    extensionsDir: path.join(stateDir, 'exts'),
    xdgData: path.join(stateDir, 'xdg-data'),
    xdgConfig: path.join(stateDir, 'xdg-config'),
    xdgCache: path.join(stateDir, 'xdg-cache'),
    tmp: path.join(stateDir, 'tmp'),
  };
  for (const d of [dirs.userDataDir, dirs.extensionsDir, dirs.xdgData, dirs.xdgConfig, dirs.xdgCache, dirs.tmp]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(dirs.config, '');
  fs.mkdirSync(path.join(dirs.userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(dirs.userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  return dirs;
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<RunningCodeServer> {
  const tools = await ensureInstalled({ quiet: true });
  const dirs = makeStateDir({ ...DEFAULT_SETTINGS, ...options.settings });
  const verbose = options.verbose || process.env.DEBUG_CODE_SERVER === '1';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    XDG_DATA_HOME: dirs.xdgData,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_CACHE_HOME: dirs.xdgCache,
    TMPDIR: dirs.tmp,
  };
  // Never let the Node 20 test process's inspector or loader flags leak into the Node 24 server.
  delete env.NODE_OPTIONS;
  delete env.ELECTRON_RUN_AS_NODE;
  delete env.VSCODE_IPC_HOOK_CLI;
  const common = [
    '--config', dirs.config,
    '--user-data-dir', dirs.userDataDir,
    '--extensions-dir', dirs.extensionsDir,
  ];
  try {
    for (const vsix of options.vsix ?? []) {
      const r = spawnSync(tools.node, [tools.codeServerEntry, ...common, '--install-extension', path.resolve(vsix)], { env, encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
      if (verbose) process.stderr.write(r.stdout + r.stderr);
    }
    for (const ext of options.extensionFolders ?? []) {
      const spec = typeof ext === 'string' ? { path: ext } : ext;
      copyExtensionFolder(spec.path, dirs.extensionsDir, spec.exclude);
    }
  } catch (err) {
    fs.rmSync(dirs.stateDir, { recursive: true, force: true });
    throw err;
  }

  const port = options.port || (await getFreePort());
  const args = [
    tools.codeServerEntry,
    ...common,
    '--bind-addr', `${HOST}:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    ...(options.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...(options.args ?? []),
  ];
  const started = Date.now();
  const proc = spawn(tools.node, args, { env, cwd: dirs.stateDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    logs.push(text);
    if (verbose) process.stderr.write(`[code-server:${port}] ${text}`);
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);

  let stopping: Promise<void> | undefined;
  const url = `http://${HOST}:${port}`;
  const server: RunningCodeServer = {
    url,
    host: HOST,
    port,
    pid: proc.pid!,
    stateDir: dirs.stateDir,
    userDataDir: dirs.userDataDir,
    extensionsDir: dirs.extensionsDir,
    proc,
    logs,
    tools,
    startMs: 0,
    remoteUri: (absPath) => `vscode-remote://${HOST}:${port}${path.resolve(absPath).split(path.sep).map(encodeURIComponent).join('/')}`,
    workbenchUrl(folder, payload) {
      const params: string[] = [];
      // A .code-workspace file opens as a workspace, anything else as a folder.
      if (folder) params.push(`${folder.endsWith('.code-workspace') ? 'workspace' : 'folder'}=${encodeURIComponent(path.resolve(folder))}`);
      if (payload) params.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
      return `${url}/${params.length ? `?${params.join('&')}` : ''}`;
    },
    stop() {
      stopping ??= (async () => {
        if (proc.pid) await killTree(proc.pid);
        proc.stdout?.destroy();
        proc.stderr?.destroy();
        running.delete(server);
        fs.rmSync(dirs.stateDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      })();
      return stopping;
    },
  };
  running.add(server);

  // Wait for /healthz, or for the process to die.
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  let exited: string | undefined;
  proc.once('exit', (code, sig) => (exited = `code-server exited (${sig ?? code}) before it was healthy`));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) break;
    try {
      const res = await httpGet(`${url}/healthz`, 2000);
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      exited = `code-server not healthy after ${timeoutMs} ms`;
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (exited) {
    const output = logs.join('');
    await server.stop();
    throw new Error(`${exited}\n${output}`);
  }
  server.startMs = Date.now() - started;
  return server;
}

/** Stops every code-server this process started (for an after-all hook). */
export async function stopAllCodeServers(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}

// A last resort when the test process exits without stopping its servers: kill their groups synchronously.
process.once('exit', () => {
  for (const s of running) {
    for (const p of descendants(s.pid)) signal(p, 'SIGKILL');
    signal(-s.pid, 'SIGKILL');
    signal(s.pid, 'SIGKILL');
    try {
      fs.rmSync(s.stateDir, { recursive: true, force: true });
    } catch {
      /* best effort */
    }
  }
});
