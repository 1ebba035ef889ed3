/**
 * The command line in the inner loop: --app on a folder that is not a Functions app is refused before
 * anything is written, a variable set in the environment wins over local.settings.json (as in Core
 * Tools), and --build --watch runs the app's own watch script, so that saving a .ts file
 * reloads the app, its compile errors show in the log, and it stops with the emulator.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, RunningEmulator, fixtureApp, startEmulator, tempDir } from '../support/emulatorProcess';
import { startOrchestration, waitFor, waitForStatus } from '../support/httpClient';
import { copyFixtureApp, editJson, removeAppCopies } from '../support/tempApp';

describe('cli: --app on a folder without host.json', () => {
  it('exits 1 naming the folder and host.json, and writes no data folder', () => {
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'package.json'), '{"name":"not-an-app"}');
    const result = spawnSync(process.execPath, [CLI, '--app', folder, '--port', '0'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(result.status, 1, `${result.stdout}${result.stderr}`);
    assert.ok(result.stderr.includes(folder), result.stderr);
    assert.match(result.stderr, /no host\.json/);
    assert.ok(!result.stdout.includes('"event":"ready"'), result.stdout);
    assert.deepEqual(fs.readdirSync(folder), ['package.json'], 'nothing written into the folder');
  });
});

describe('cli: local.settings.json and the environment', () => {
  let emu: RunningEmulator | undefined;
  after(async () => {
    await emu?.stop();
  });

  it('a variable already set in the environment wins, and the skipped setting is named', async () => {
    emu = await startEmulator({ app: fixtureApp('scenarios'), env: { SCENARIO_SETTING: 'from-environment' } });
    await emu.waitForLog(/Skipping 'SCENARIO_SETTING' from local settings as it's already defined in current environment variables\./);
    const id = await startOrchestration(emu.http, 'SettingOrch');
    assert.equal((await waitForStatus(emu.http, id, ['Completed'])).output, 'from-environment');
  });
});

/** Processes whose working folder is `dir` (Linux: /proc/<pid>/cwd). */
function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/cwd`) === dir) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

(process.platform === 'linux' ? describe : describe.skip)('cli: --build --watch runs the app\'s watch script', () => {
  let emu: RunningEmulator | undefined;
  let app: string;
  const loads = () => emu!.logs.filter((l) => /App loaded/.test(l)).length;
  before(async function () {
    this.timeout(120_000);
    app = copyFixtureApp('ts-app');
    // As the func init / VS Code templates have it.
    editJson(path.join(app, 'package.json'), (pkg) => (pkg.scripts.watch = 'tsc -w'));
    emu = await startEmulator({ app, args: ['--build', '--watch'], timeoutMs: 110_000 });
  });
  after(async function () {
    this.timeout(30_000);
    await emu?.stop();
    removeAppCopies(app);
  });

  it('saving a .ts file recompiles and reloads the app; compile errors are logged; the script stops with the emulator', async function () {
    this.timeout(120_000);
    await emu!.waitForLog(/npm run watch \(tsc -w\)/, 10_000);
    await emu!.waitForLog(/Watching for file changes/, 60_000);
    const first = await startOrchestration(emu!.http, 'TsOrchestrator', JSON.stringify('Ada'));
    assert.deepEqual((await waitForStatus(emu!.http, first, ['Completed'])).output, ['Hello from TypeScript, Ada', 'HELLO FROM TYPESCRIPT, ADA']);

    const loadsBefore = loads();
    const source = path.join(app, 'src', 'functions', 'greeting.ts');
    const original = fs.readFileSync(source, 'utf8');
    fs.writeFileSync(source, original.replace('Hello from TypeScript', 'Howdy from TypeScript'));
    await emu!.waitForLog(/greeting\.js changed: reloading/, 60_000);
    await waitFor(() => loads() > loadsBefore, 'the app to load again', 30_000);
    const second = await startOrchestration(emu!.http, 'TsOrchestrator', JSON.stringify('Ada'));
    assert.deepEqual((await waitForStatus(emu!.http, second, ['Completed'])).output, ['Howdy from TypeScript, Ada', 'HOWDY FROM TYPESCRIPT, ADA']);

    fs.writeFileSync(source, `${original}\nconst wrong: number = 'not a number';\n`);
    await emu!.waitForLog(/error +watch: .*greeting\.ts.*error TS2322/, 60_000);

    assert.ok(processesIn(app).length > 0, 'the watch script runs in the app folder');
    assert.equal(await emu!.stop(), 0);
    await waitFor(() => processesIn(app).length === 0, 'the watch script to stop', 15_000);
  });
});
