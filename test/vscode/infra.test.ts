/**
 * Proofs that the real-VS-Code test infrastructure works, with the throw-away fixture extension in
 * test/vscode/fixtures/smoke-extension:
 *   - code-server starts on a free port, answers /healthz, and stop() leaves no process and no folder behind;
 *   - @vscode/test-electron's runTests, pointed at the code-runner, runs mocha in the real extension host:
 *     exit 0 when the tests pass, 1 when one fails;
 *   - a UI test drives the palette, a notification, the activity bar and a tree view, and saves a screenshot.
 *
 *   npm run compile && npx mocha --config test/vscode/.mocharc.json
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { descendants, startCodeServer, stopAllCodeServers } from './codeServer';
import { ensureInstalled, node24Env, toolPaths } from './install';
import { parseCodeArgs } from './runExtensionTests';
import { REPO, runVSCodeTests } from './runTests';
import { clickActivityBar, openUi, runCommand, screenshot, treeLabels, UiSession, waitForNotification, waitForTreeRow } from './ui';

const FIXTURE = path.join(REPO, 'test', 'vscode', 'fixtures', 'smoke-extension');
const FIXTURE_TESTS = path.join(FIXTURE, 'test', 'index.js');

const temps: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

function workspace(): string {
  const dir = tempDir('dfe-smoke-ws-');
  fs.writeFileSync(path.join(dir, 'hello.txt'), 'hello\n');
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'index.js'), 'module.exports = 42;\n');
  return dir;
}

/** Pids of live processes whose environment holds NAME=value (how a run's whole tree is found). */
function processesWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}\0`;
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] === 'Z') continue;
      if (fs.readFileSync(`/proc/${entry}/environ`, 'latin1').includes(needle)) out.push(Number(entry));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out;
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

describe('real VS Code test infrastructure (code-server + headless Chromium)', function () {
  this.timeout(10 * 60_000);

  before(async function () {
    this.timeout(30 * 60_000);
    const t = Date.now();
    await ensureInstalled();
    console.log(`      tools ready in ${secs(Date.now() - t)}`);
  });

  after(async function () {
    await stopAllCodeServers();
    for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('parses VS Code-style arguments as runTests passes them', () => {
    const args = parseCodeArgs([
      '/ws', '--no-sandbox', '--disable-gpu-sandbox', '--disable-updates', '--skip-welcome', '--skip-release-notes',
      '--disable-workspace-trust', '--extensionTestsPath=/ext/out/test/index.js', '--extensionDevelopmentPath=/ext',
      '--user-data-dir', '/x/user-data',
    ]);
    assert.deepEqual(args.extensionDevelopmentPath, ['/ext']);
    assert.equal(args.extensionTestsPath, '/ext/out/test/index.js');
    assert.equal(args.workspace, '/ws');
  });

  it("runs code-server's npm install without the outer npm's variables (they name the outer Node)", () => {
    const keys = ['npm_config_user_agent', 'npm_lifecycle_event', 'NPM_CONFIG_CACHE'];
    const saved = keys.map((key) => process.env[key]);
    try {
      process.env.npm_config_user_agent = 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false';
      process.env.npm_lifecycle_event = 'test';
      process.env.NPM_CONFIG_CACHE = '/somewhere';
      const env = node24Env();
      assert.deepEqual(Object.keys(env).filter((k) => k.startsWith('npm_')), ['npm_config_nodedir']);
      assert.equal(env.NPM_CONFIG_CACHE, '/somewhere', "the user's own npm settings are kept");
      assert.equal(env.npm_config_nodedir, toolPaths().nodePackage);
      assert.ok(env.PATH?.startsWith(path.dirname(toolPaths().node)));
    } finally {
      keys.forEach((key, i) => (saved[i] === undefined ? delete process.env[key] : (process.env[key] = saved[i])));
    }
  });

  it('starts code-server on a free port; stop() kills the whole tree and removes the state folder', async () => {
    const marker = randomUUID();
    const server = await startCodeServer({ env: { DFE_INFRA_RUN: marker }, extensionFolders: [FIXTURE] });
    console.log(`      code-server healthy in ${secs(server.startMs)} on ${server.url}`);
    try {
      assert.ok(server.port > 0);
      const health = await get(`${server.url}/healthz`);
      assert.equal(health.status, 200);
      assert.match(health.body, /alive|expired/);
      assert.equal(fs.readFileSync(path.join(server.stateDir, 'config.yaml'), 'utf8'), '');
      const settings = JSON.parse(fs.readFileSync(path.join(server.userDataDir, 'User', 'settings.json'), 'utf8'));
      assert.equal(settings['workbench.startupEditor'], 'none');
      assert.ok(fs.existsSync(path.join(server.extensionsDir, 'durable-emulator-test.smoke-extension-0.0.1', 'extension.js')));
      const page = await get(`${server.url}/`);
      assert.ok(page.status === 200 || page.status === 302, `GET / answered ${page.status}`);
    } finally {
      const tree = [server.pid, ...descendants(server.pid)];
      await server.stop();
      assert.deepEqual(processesWithEnv('DFE_INFRA_RUN', marker), [], `left running: ${tree.join(' ')}`);
      assert.ok(!fs.existsSync(server.stateDir), 'state folder removed');
    }
  });

  it('installs a .vsix (from @vscode/vsce) with --install-extension', async () => {
    const out = tempDir('dfe-vsix-');
    const vsix = path.join(out, 'smoke.vsix');
    const vsce = spawnSync(path.join(REPO, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix], { cwd: FIXTURE, encoding: 'utf8' });
    assert.equal(vsce.status, 0, `vsce package failed:\n${vsce.stdout}${vsce.stderr}`);
    const marker = randomUUID();
    const server = await startCodeServer({ vsix: [vsix], env: { DFE_INFRA_RUN: marker } });
    try {
      const installed = fs.readdirSync(server.extensionsDir);
      assert.ok(installed.includes('durable-emulator-test.smoke-extension-0.0.1'), `extensions dir holds: ${installed.join(', ')}`);
      assert.equal((await get(`${server.url}/healthz`)).status, 200);
    } finally {
      await server.stop();
      assert.deepEqual(processesWithEnv('DFE_INFRA_RUN', marker), []);
      assert.ok(!fs.existsSync(server.stateDir));
    }
  });

  async function runSmokeTests(env: Record<string, string>): Promise<{ code: number; ms: number }> {
    const marker = randomUUID();
    const tmp = tempDir('dfe-runtests-tmp-');
    const ws = workspace();
    const t = Date.now();
    const code = await runVSCodeTests({
      extensionDevelopmentPath: FIXTURE,
      extensionTestsPath: FIXTURE_TESTS,
      workspace: ws,
      // TMPDIR: every temp folder of the run (code-server state, browser profile) lands where we can check it.
      extensionTestsEnv: { ...env, SMOKE_EXPECTED_WORKSPACE: ws, DFE_INFRA_RUN: marker, TMPDIR: tmp, VSCODE_TEST_LOG_PREFIX: '      | ' },
    });
    const ms = Date.now() - t;
    assert.deepEqual(processesWithEnv('DFE_INFRA_RUN', marker), [], 'no process of the run is left');
    assert.deepEqual(fs.readdirSync(tmp), [], 'no temp folder of the run is left');
    return { code, ms };
  }

  it('runTests (unchanged @vscode/test-electron) through the code-runner: passing tests exit 0', async () => {
    const { code, ms } = await runSmokeTests({});
    console.log(`      passing run: exit ${code} in ${secs(ms)}`);
    assert.equal(code, 0);
  });

  it('runTests through the code-runner: a deliberately failing test exits 1', async () => {
    const { code, ms } = await runSmokeTests({ SMOKE_TEST_FAIL: '1' });
    console.log(`      failing run: exit ${code} in ${secs(ms)}`);
    assert.equal(code, 1);
  });

  it('UI: palette command, notification, activity bar, tree rows, screenshot', async () => {
    const marker = randomUUID();
    const ws = workspace();
    const t = Date.now();
    let ui: UiSession | undefined;
    try {
      ui = await openUi({ folder: ws, extensionFolders: [FIXTURE], env: { DFE_INFRA_RUN: marker } });
      const { page } = ui;
      console.log(`      workbench ready in ${secs(Date.now() - t)} (code-server ${secs(ui.server.startMs)})`);

      // The explorer shows the workspace's files (its view is titled with the folder's name).
      await waitForTreeRow(page, path.basename(ws), 'hello.txt');

      await runCommand(page, 'Smoke: Say Hello');
      await waitForNotification(page, 'Hello from the smoke extension!');
      await screenshot(page, 'infra-smoke-notification');

      await clickActivityBar(page, 'Smoke Test');
      await waitForTreeRow(page, 'Smoke Items', 'gamma');
      assert.deepEqual(await treeLabels(page, 'Smoke Items'), ['alpha', 'beta', 'gamma']);
      const file = await screenshot(page, 'infra-smoke-tree');
      assert.ok(fs.statSync(file).size > 10_000, 'a real screenshot');
      console.log(`      UI test done in ${secs(Date.now() - t)}; screenshots in ${path.dirname(file)}`);
    } finally {
      const stateDir = ui?.server.stateDir;
      await ui?.close();
      assert.deepEqual(processesWithEnv('DFE_INFRA_RUN', marker), [], 'no process of the UI run is left');
      if (stateDir) assert.ok(!fs.existsSync(stateDir), 'state folder removed');
    }
  });
});
