/**
 * The command line: --help, unknown flags, SIGTERM flushing storage (the data survives a restart with the
 * same --data), --build of a TypeScript app with its own build script, and --watch reloading the app.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, RunningEmulator, fixtureApp, startEmulator, tempDir } from '../support/emulatorProcess';
import { api, getStatus, request, startOrchestration, waitFor, waitForStatus } from '../support/httpClient';
import { copyFixtureApp, removeAppCopies } from '../support/tempApp';

const FINISHED = ['Completed', 'Failed', 'Terminated'];

function runCli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
}

describe('robustness-cli: arguments', () => {
  it('--help exits 0 with the usage', () => {
    const result = runCli(['--help']);
    assert.equal(result.status, 0, result.stderr);
    const out = `${result.stdout}${result.stderr}`;
    assert.match(out, /Usage: durable-emulator/);
    for (const flag of ['--app', '--port', '--data', '--build', '--watch', '--max-body']) assert.ok(out.includes(flag), `usage mentions ${flag}`);
    assert.equal(runCli(['-h']).status, 0);
  });

  it('an unknown flag exits 2 with a message naming it', () => {
    const result = runCli(['--frobnicate']);
    assert.equal(result.status, 2, `${result.stdout}${result.stderr}`);
    assert.match(result.stderr, /Unknown option '--frobnicate'/);
    assert.match(result.stderr, /Usage: durable-emulator/);
  });

  it('a flag missing its value or with a bad number exits 2', () => {
    assert.equal(runCli(['--port']).status, 2);
    const bad = runCli(['--port', 'seventy']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--port/);
    assert.equal(runCli(['--max-body', '-5']).status, 2);
  });

  it('a missing app folder exits 1 with a message', () => {
    const missing = path.join(tempDir(), 'no-such-app');
    const result = runCli(['--app', missing, '--port', '0', '--data', tempDir()]);
    assert.equal(result.status, 1, `${result.stdout}${result.stderr}`);
    assert.ok(result.stderr.includes(missing), result.stderr);
  });
});

describe('robustness-cli: SIGTERM flushes, and the data survives a restart with the same --data', () => {
  const dataDir = tempDir();
  let emu: RunningEmulator | undefined;
  after(async () => {
    await emu?.stop();
  });

  it('exits 0 on SIGTERM; finished and waiting instances are still there after a restart', async () => {
    emu = await startEmulator({ app: fixtureApp('scenarios'), dataDir });
    const done = await startOrchestration(emu.http, 'HelloSequence', { keep: 'me' }, 'survivor-done');
    await waitForStatus(emu.http, done, ['Completed']);
    const waiting = await startOrchestration(emu.http, 'WaitForApproval', undefined, 'survivor-waiting');
    await waitForStatus(emu.http, waiting, ['Running']);

    const code = await emu.stop();
    assert.equal(code, 0, emu.logs.slice(-20).join('\n'));
    assert.ok(emu.logs.some((l) => /SIGTERM/.test(l)), 'logged the shutdown');
    assert.ok(!fs.existsSync(path.join(dataDir, 'emulator.json')), 'the discovery file is removed');

    emu = await startEmulator({ app: fixtureApp('scenarios'), dataDir });
    const list = await request('GET', `${api(emu.http)}/instances/?instanceIdPrefix=survivor-`);
    assert.deepEqual(list.json.map((s: any) => s.instanceId).sort(), ['survivor-done', 'survivor-waiting']);
    const status = await getStatus(emu.http, done);
    assert.equal(status.runtimeStatus, 'Completed');
    assert.deepEqual(status.input, { keep: 'me' });
    assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    // The waiting one carries on where it was.
    assert.equal((await getStatus(emu.http, waiting)).runtimeStatus, 'Running');
    assert.equal((await request('POST', `${api(emu.http)}/instances/${waiting}/raiseEvent/Approval`, { after: 'restart' })).status, 202);
    assert.deepEqual((await waitForStatus(emu.http, waiting, FINISHED)).output, { after: 'restart' });
    assert.equal(await emu.stop(), 0);
    emu = undefined;
  });

  it('SIGINT exits 0 too', async () => {
    emu = await startEmulator({ app: fixtureApp('scenarios'), dataDir });
    const running = emu;
    // Once the emulator has answered a request, its start-up code has certainly finished.
    assert.equal((await request('GET', `${api(running.http)}/instances/?top=1`)).status, 200);
    const exited = new Promise<string>((resolve) => running.proc.once('exit', (code, signal) => resolve(`code ${code} signal ${signal}`)));
    running.proc.kill('SIGINT');
    assert.equal(await exited, 'code 0 signal null', running.logs.slice(-20).join('\n'));
    assert.ok(running.logs.some((l) => /SIGINT: flushing/.test(l)), running.logs.slice(-20).join('\n'));
    emu = undefined;
  });

  it('SIGTERM sent as soon as the ready line is printed still flushes and exits 0 (10 tries)', async function () {
    this.timeout(120_000);
    // A tool that reads the ready line and then stops the emulator (the extension does) must get a clean stop.
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const running = await startEmulator({ app: fixtureApp('scenarios'), dataDir });
      const exited = new Promise<string>((resolve) => running.proc.once('exit', (code, signal) => resolve(`code ${code} signal ${signal}`)));
      running.proc.kill('SIGTERM');
      outcomes.push(await exited);
    }
    assert.deepEqual(outcomes, Array(10).fill('code 0 signal null'));
    assert.ok(!fs.existsSync(path.join(dataDir, 'emulator.json')), 'no stale discovery file');
  });
});

describe('robustness-cli: --parent-pid', () => {
  it('stops cleanly (exit 0) once the parent process is gone', async () => {
    const parent = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
    const emu = await startEmulator({ app: fixtureApp('scenarios'), args: ['--parent-pid', String(parent.pid)] });
    const exited = new Promise<number | null>((resolve) => emu.proc.once('exit', (code) => resolve(code)));
    parent.kill('SIGKILL');
    assert.equal(await exited, 0);
    assert.ok(emu.logs.some((l) => /parent process \d+ exited/.test(l)), emu.logs.join('\n'));
  });
});

describe('robustness-cli: --build on a TypeScript app', () => {
  let emu: RunningEmulator;
  let app: string;
  before(async function () {
    this.timeout(120_000);
    app = copyFixtureApp('ts-app');
    assert.ok(!fs.existsSync(path.join(app, 'dist')), 'the copy starts without compiled output');
    emu = await startEmulator({ app, args: ['--build'], timeoutMs: 110_000 });
  });
  after(async () => {
    await emu?.stop();
    removeAppCopies(app);
  });

  it('compiles the app with its build script and runs its orchestrator', async () => {
    assert.ok(fs.existsSync(path.join(app, 'dist', 'src', 'functions', 'greeting.js')), 'tsc wrote dist/');
    await emu.waitForLog(/Build succeeded/, 10_000);
    const id = await startOrchestration(emu.http, 'TsOrchestrator', JSON.stringify('Ada'));
    const status = await waitForStatus(emu.http, id, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.deepEqual(status.output, ['Hello from TypeScript, Ada', 'HELLO FROM TYPESCRIPT, ADA']);
  });
});

describe('robustness-cli: --watch reloads the app when its output changes', () => {
  let emu: RunningEmulator;
  let app: string;
  before(async () => {
    app = copyFixtureApp('scenarios');
    emu = await startEmulator({ app, args: ['--watch'] });
  });
  after(async () => {
    await emu?.stop();
    removeAppCopies(app);
  });

  it('a rewritten activity file gives new results without restarting the emulator', async () => {
    const first = await startOrchestration(emu.http, 'HelloSequence');
    assert.deepEqual((await waitForStatus(emu.http, first, FINISHED)).output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    const loadsBefore = emu.logs.filter((l) => /App loaded/.test(l)).length;

    const file = path.join(app, 'src', 'functions', 'activities.js');
    const source = fs.readFileSync(file, 'utf8');
    assert.ok(source.includes('`Hello ${name}!`'));
    fs.writeFileSync(file, source.replace('`Hello ${name}!`', '`Howdy ${name}!`'));

    await emu.waitForLog(/activities\.js changed: reloading/, 15_000);
    await waitFor(() => emu.logs.filter((l) => /App loaded/.test(l)).length > loadsBefore, 'the app to load again', 15_000);
    const second = await startOrchestration(emu.http, 'HelloSequence');
    const status = await waitForStatus(emu.http, second, FINISHED);
    assert.equal(status.runtimeStatus, 'Completed', JSON.stringify(status));
    assert.deepEqual(status.output, ['Howdy Tokyo!', 'Howdy Seattle!', 'Howdy London!']);
    // The earlier instance is untouched and the process is the same.
    assert.deepEqual((await getStatus(emu.http, first)).output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    assert.equal(emu.proc.exitCode, null);
  });

  it('a new function file is picked up', async () => {
    const loadsBefore = emu.logs.filter((l) => /App loaded/.test(l)).length;
    fs.writeFileSync(
      path.join(app, 'src', 'functions', 'added.js'),
      `const df = require('durable-functions');
df.app.activity('AddedLater', { handler: (x) => 'added ' + x });
df.app.orchestration('AddedOrch', function* (context) {
  return yield context.df.callActivity('AddedLater', context.df.getInput());
});
`,
    );
    await waitFor(() => emu.logs.filter((l) => /App loaded/.test(l) && /AddedOrch/.test(l)).length > 0 && emu.logs.filter((l) => /App loaded/.test(l)).length > loadsBefore, 'the app to load AddedOrch', 15_000);
    const id = await startOrchestration(emu.http, 'AddedOrch', JSON.stringify('later'));
    assert.equal((await waitForStatus(emu.http, id, FINISHED)).output, 'added later');
  });
});
