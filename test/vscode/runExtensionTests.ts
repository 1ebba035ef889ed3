/**
 * Runs VS Code extension integration tests (mocha inside the real Node extension host of code-server) through
 * the smoke-test-driver payload, in headless Debian Chromium driven by playwright-core.
 *
 * The workbench forwards the extension host's output through window.codeAutomationLog(type, args) — printed
 * here on stdout — and calls window.codeAutomationExit(code) when the tests end: that code is the result.
 *
 *   node out/test/vscode/runExtensionTests.js --extensionDevelopmentPath=DIR --extensionTestsPath=INDEX [WORKSPACE]
 *
 * Environment (CLI and code-runner): VSCODE_TEST_TIMEOUT_MS (default 10 min), VSCODE_TEST_VERBOSE=1 (keep the
 * offline gallery/auth noise), VSCODE_TEST_PAGE_CONSOLE=1 (the page's own console), VSCODE_TEST_LOG_PREFIX,
 * VSCODE_TEST_FAILURE_SCREENSHOT=path.png (a screenshot when the tests fail), DEBUG_CODE_SERVER=1 (server log).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { chromium, Browser } from 'playwright-core';
import { startCodeServer, RunningCodeServer } from './codeServer';
import { CHROMIUM } from './install';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Headless Debian Chromium with the flags this closed network needs. Chromium writes crash-report and dconf
 * folders under XDG_CONFIG_HOME / XDG_CACHE_HOME: they go to a temp folder removed when the browser closes.
 */
export async function launchChromium(options: { headless?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Browser> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dfe-chromium-'));
  const cleanup = () => fs.rmSync(scratch, { recursive: true, force: true });
  const env = { ...process.env, ...options.env, XDG_CONFIG_HOME: path.join(scratch, 'config'), XDG_CACHE_HOME: path.join(scratch, 'cache') };
  try {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: options.headless ?? true,
      args: CHROMIUM_ARGS,
      env: env as Record<string, string>,
    });
    process.once('exit', cleanup);
    browser.once('disconnected', () => {
      process.removeListener('exit', cleanup);
      cleanup();
    });
    return browser;
  } catch (err) {
    cleanup();
    throw err;
  }
}

export interface ExtensionTestOptions {
  /** The extension under test (its folder, holding package.json); several are allowed, as in VS Code. */
  extensionDevelopmentPath: string | string[];
  /** The compiled tests index (a module exporting run(): Promise<void>), or a folder holding index.js. */
  extensionTestsPath: string;
  /** Folder to open; none opens an empty window. */
  workspace?: string;
  /** Environment for code-server and so for the extension host (e.g. runTests' extensionTestsEnv). */
  env?: NodeJS.ProcessEnv;
  /** Whole-run limit; the run fails with exit code 1 when it is exceeded. Default 10 minutes. */
  timeoutMs?: number;
  /** Where each line of the extension host's output goes (default: stdout). */
  log?: (line: string) => void;
  /** Also print the browser page's own console messages and errors (noisy; default off). */
  pageConsole?: boolean;
  /** Keep the offline noise (gallery, GitHub auth, telemetry errors) too; default VSCODE_TEST_VERBOSE=1. */
  verbose?: boolean;
  /** Screenshot path written when the run fails or times out. */
  failureScreenshot?: string;
}

/**
 * Messages that a workbench without internet always logs and that say nothing about the tests: the extension
 * gallery (open-vsx.org), the GitHub authentication provider, telemetry. Dropped unless VSCODE_TEST_VERBOSE=1.
 */
export const OFFLINE_NOISE = [/ENOTFOUND open-vsx\.org/, /authentication provider 'github'/, /ENOTFOUND .*(telemetry|marketplace|vscode-cdn|github)/i];

/** codeAutomationLog receives console-style arguments: a format string and its values. */
export function formatLogArgs(args: unknown): string {
  const list = Array.isArray(args) ? args : [args];
  return format(...list).replace(/\s+$/, '');
}

/** Resolves with the exit code the tests reported (0 = all passed). Cleans up every process it started. */
export async function runExtensionTests(options: ExtensionTestOptions): Promise<number> {
  const log = options.log ?? ((line: string) => process.stdout.write(line.endsWith('\n') ? line : `${line}\n`));
  const devPaths = (Array.isArray(options.extensionDevelopmentPath) ? options.extensionDevelopmentPath : [options.extensionDevelopmentPath]).map((p) => path.resolve(p));
  if (devPaths.length === 0) throw new Error('no extensionDevelopmentPath');
  let testsPath = path.resolve(options.extensionTestsPath);
  for (const devPath of devPaths) if (!fs.existsSync(devPath)) throw new Error(`extensionDevelopmentPath not found: ${devPath}`);
  if (!fs.existsSync(testsPath) && fs.existsSync(`${testsPath}.js`)) testsPath = `${testsPath}.js`;
  if (!fs.existsSync(testsPath)) throw new Error(`extensionTestsPath not found: ${testsPath}`);
  if (fs.statSync(testsPath).isDirectory()) testsPath = path.join(testsPath, 'index.js');
  if (!fs.existsSync(testsPath)) throw new Error(`extensionTestsPath not found: ${testsPath}`);
  const workspace = options.workspace ? path.resolve(options.workspace) : undefined;
  if (workspace && !fs.existsSync(workspace)) throw new Error(`workspace folder not found: ${workspace}`);
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;

  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    server = await startCodeServer({ smokeTestDriver: true, env: options.env });
    browser = await launchChromium({ env: options.env });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });

    let settle!: (code: number) => void;
    const exited = new Promise<number>((resolve) => (settle = resolve));
    const verbose = options.verbose ?? process.env.VSCODE_TEST_VERBOSE === '1';
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
      const text = formatLogArgs(args);
      if (!verbose && OFFLINE_NOISE.some((re) => re.test(text))) return;
      log(type === 'info' || type === 'log' ? text : `[${type}] ${text}`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => settle(typeof code === 'number' ? code : 1));
    page.on('pageerror', (err) => options.pageConsole && log(`[page error] ${err.message}`));
    page.on('console', (msg) => options.pageConsole && log(`[page ${msg.type()}] ${msg.text()}`));
    page.on('crash', () => {
      log('[runExtensionTests] the browser page crashed');
      settle(1);
    });

    const url = server.workbenchUrl(workspace, [
      ...devPaths.map((devPath): [string, string] => ['extensionDevelopmentPath', server!.remoteUri(devPath)]),
      ['extensionTestsPath', server.remoteUri(testsPath)],
    ]);
    const timedOut = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        log(`[runExtensionTests] no result after ${timeoutMs} ms: failing the run`);
        resolve(1);
      }, timeoutMs);
    });
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    const code = await Promise.race([exited, timedOut]);
    if (code !== 0 && options.failureScreenshot) {
      fs.mkdirSync(path.dirname(options.failureScreenshot), { recursive: true });
      await page.screenshot({ path: options.failureScreenshot }).catch(() => undefined);
    }
    return code;
  } finally {
    if (timer) clearTimeout(timer);
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }
}

export interface CodeArgs {
  extensionDevelopmentPath: string[];
  extensionTestsPath?: string;
  workspace?: string;
  ignored: string[];
}

/** Parses VS Code-style arguments: --extensionDevelopmentPath=, --extensionTestsPath=, a folder; others ignored. */
export function parseCodeArgs(argv: string[]): CodeArgs {
  const out: CodeArgs = { extensionDevelopmentPath: [], ignored: [] };
  // Flags of VS Code's CLI that take a separate value (`--flag value`); their values are not the folder.
  const withValue = new Set(['--extensionDevelopmentPath', '--extensionTestsPath', '--user-data-dir', '--extensions-dir', '--locale', '--profile', '--log', '--folder-uri', '--file-uri', '--inspect-extensions', '--inspect-brk-extensions', '--remote', '--sync']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? (eq > 0 ? arg.slice(0, eq) : arg) : undefined;
    let value: string | undefined = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (name && value === undefined && withValue.has(name) && i + 1 < argv.length) value = argv[++i];
    if (name === '--extensionDevelopmentPath') {
      if (value) out.extensionDevelopmentPath.push(value);
    } else if (name === '--extensionTestsPath') out.extensionTestsPath = value;
    else if (name === '--folder-uri' && value?.startsWith('file://')) out.workspace = decodeURIComponent(new URL(value).pathname);
    else if (name || arg.startsWith('-')) out.ignored.push(value !== undefined && eq < 0 ? `${arg} ${value}` : arg);
    else if (!out.workspace) out.workspace = arg;
    else out.ignored.push(arg);
  }
  return out;
}

/** CLI: the same arguments as the code-runner script. */
export async function main(argv: string[]): Promise<number> {
  const args = parseCodeArgs(argv);
  if (args.extensionDevelopmentPath.length === 0 || !args.extensionTestsPath) {
    process.stderr.write('usage: --extensionDevelopmentPath=DIR --extensionTestsPath=INDEX [WORKSPACE] (other VS Code flags are ignored)\n');
    return 2;
  }
  // On SIGINT/SIGTERM (runTests forwards Ctrl+C as SIGINT) exit through process.exit so that the exit hooks
  // of codeServer.ts and playwright kill the server tree and the browser.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => process.exit(130));
  const started = Date.now();
  process.stdout.write(`[runExtensionTests] code-server + headless Chromium: ${args.extensionDevelopmentPath.join(', ')} / ${args.extensionTestsPath}${args.workspace ? ` in ${args.workspace}` : ''}\n`);
  // VSCODE_TEST_LOG_PREFIX marks every forwarded line (e.g. when the run is nested in another test report).
  const prefix = process.env.VSCODE_TEST_LOG_PREFIX ?? '';
  const code = await runExtensionTests({
    log: prefix ? (text) => process.stdout.write(text.split('\n').map((l) => `${prefix}${l}\n`).join('')) : undefined,
    extensionDevelopmentPath: args.extensionDevelopmentPath,
    extensionTestsPath: args.extensionTestsPath,
    workspace: args.workspace,
    timeoutMs: process.env.VSCODE_TEST_TIMEOUT_MS ? Number(process.env.VSCODE_TEST_TIMEOUT_MS) : undefined,
    pageConsole: process.env.VSCODE_TEST_PAGE_CONSOLE === '1',
    failureScreenshot: process.env.VSCODE_TEST_FAILURE_SCREENSHOT || undefined,
  });
  process.stdout.write(`[runExtensionTests] exit code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`[runExtensionTests] ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
