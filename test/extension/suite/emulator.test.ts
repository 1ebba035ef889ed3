/** The emulator's lifecycle from the extension: start, functions, stop, attach through the discovery file, crash. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EmulatorProcess } from '../../../emulator/client/emulatorProcess';
import { appFolder, extensionApi, startEmulator, tempDataFolder, waitFor } from './helpers';

suite('emulator lifecycle', () => {
  suiteTeardown(async () => {
    await vscode.commands.executeCommand('durable.stopEmulator');
  });

  test('Start Emulator runs the bundled emulator and lists the app functions', async () => {
    const api = await extensionApi();
    const started = Date.now();
    const dataFolder = await startEmulator(api);
    console.log(`    emulator ready and connected in ${Date.now() - started} ms`);
    const c = api.session.connection!;
    assert.equal(c.attached, false);
    assert.equal(c.appDir, appFolder());
    assert.equal(c.dataDir, dataFolder);
    assert.ok(fs.existsSync(path.join(dataFolder, 'emulator.json')), 'the emulator writes its discovery file');

    const categories = Object.fromEntries(api.functions.roots.map((c) => [c.category, c.functions.map((f) => f.name)]));
    assert.deepEqual(categories.orchestrator, ['Approval', 'FailsOnce', 'FanOut', 'Hello', 'Parent', 'WaitForever']);
    assert.deepEqual(categories.activity, ['FailOnce', 'SayHello']);
    assert.deepEqual(categories.entity, ['Counter']);
    assert.deepEqual(categories.http, ['Ping', 'StartOrchestration']);

    const orchestrators = api.functions.getChildren(api.functions.roots.find((c) => c.category === 'orchestrator'));
    const hello = api.functions.getTreeItem(orchestrators.find((n) => n.kind === 'function' && n.info.name === 'Hello')!);
    assert.equal(hello.contextValue, 'function.orchestrator', 'orchestrators carry the inline Start action');
    const routes = api.functions.getChildren(api.functions.roots.find((c) => c.category === 'http')).map((n) => api.functions.getTreeItem(n));
    assert.deepEqual(routes.map((r) => r.label), ['/api/ping', '/api/start/{name}']);
    assert.match(String(routes[1].description), /POST/);
  });

  test('Stop Emulator stops the process and empties the views', async () => {
    const api = await extensionApi();
    const pid = api.session.connection!.pid;
    const dataDir = api.session.connection!.dataDir;
    await vscode.commands.executeCommand('durable.stopEmulator');
    assert.equal(api.session.currentState, 'stopped');
    assert.throws(() => process.kill(pid, 0), 'the emulator process is gone');
    assert.ok(!fs.existsSync(path.join(dataDir, 'emulator.json')), 'a clean stop removes the discovery file');
    assert.deepEqual(api.functions.roots, []);
    assert.deepEqual(await api.instances.getChildren(), []);
  });

  test('attaches to an emulator already running on the data folder (discovery file + token)', async () => {
    const api = await extensionApi();
    const dataFolder = tempDataFolder();
    const cli = path.join(vscode.extensions.getExtension('durable-emulator.durable-functions-emulator')!.extensionPath, 'dist', 'emulator', 'host', 'cli.js');
    const { process: cliProcess, ready } = await EmulatorProcess.start({ nodePath: 'node', cliPath: cli, appDir: appFolder(), dataDir: dataFolder, port: 0 });
    try {
      await startEmulator(api, dataFolder);
      const c = api.session.connection!;
      assert.equal(c.attached, true);
      assert.equal(c.pid, ready.pid);
      assert.equal(c.http, ready.http);
      assert.ok(api.functions.roots.length > 0);
      // Stop is explicit: it ends the attached emulator too.
      await vscode.commands.executeCommand('durable.stopEmulator');
      await waitFor('the attached emulator to exit', () => !cliProcess.isRunning);
    } finally {
      await cliProcess.kill();
    }
  });

  test('a crash is reported and Restart brings the emulator back', async () => {
    const api = await extensionApi();
    await startEmulator(api);
    const pid = api.session.connection!.pid;
    process.kill(pid, 'SIGKILL');
    await waitFor('the crashed state', () => api.session.currentState === 'crashed');
    assert.equal(api.session.connection, undefined);
    const ok = await vscode.commands.executeCommand<boolean>('durable.restartEmulator');
    assert.equal(ok, true);
    assert.equal(api.session.currentState, 'running');
    assert.notEqual(api.session.connection!.pid, pid);
  });

  test('a start that fails shows the reason', async () => {
    const api = await extensionApi();
    await vscode.commands.executeCommand('durable.stopEmulator');
    const ok = await vscode.commands.executeCommand<boolean>('durable.startEmulator', {
      appFolder: path.join(appFolder(), 'no-such-app'),
      port: 0,
      dataFolder: tempDataFolder(),
    });
    assert.equal(ok, false);
    assert.equal(api.session.currentState, 'stopped');
  });
});
