/**
 * How a started emulator announces itself (emulator/protocol/launch.ts) and the shared client pieces that read
 * it (emulator/client/): the ready line, the discovery file of a running, a stopped and a killed emulator, and
 * a CLI that fails before it is ready.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readDiscovery } from '../../emulator/client/discovery';
import { EmulatorProcess } from '../../emulator/client/emulatorProcess';
import { DISCOVERY_FILE, parseDiscovery, parseReadyLine } from '../../emulator/protocol/launch';
import { CLI, fixtureApp, startEmulator, tempDir } from './support/emulatorProcess';

describe('launch contract: ready line and discovery file', function () {
  this.timeout(120_000);

  it('parseReadyLine takes the ready line and nothing else', () => {
    const ready = { event: 'ready', http: 'http://127.0.0.1:1', ws: 'ws://127.0.0.1:1/x', token: 't', dataDir: '/d', pid: 1 };
    assert.deepEqual(parseReadyLine(JSON.stringify(ready)), ready);
    assert.equal(parseReadyLine('[2026-01-01T00:00:00.000Z] information host: listening'), undefined);
    assert.equal(parseReadyLine('{"event":"ready"'), undefined, 'cut short');
    assert.equal(parseReadyLine(JSON.stringify({ ...ready, event: 'other' })), undefined);
    assert.equal(parseReadyLine(JSON.stringify({ ...ready, token: 1 })), undefined);
  });

  it('parseDiscovery refuses malformed and incomplete files', () => {
    assert.equal(parseDiscovery(''), undefined);
    assert.equal(parseDiscovery('{"pid":'), undefined);
    assert.equal(parseDiscovery(JSON.stringify({ http: 'h', ws: 'w', token: 't', dataDir: 'd', pid: 1 })), undefined, 'no appDir');
  });

  it('a running emulator is discoverable; a clean stop removes the file', async () => {
    const dataDir = tempDir();
    const emu = await startEmulator({ app: fixtureApp('scenarios'), dataDir });
    const found = readDiscovery(dataDir);
    assert.deepEqual(found, { event: 'ready', http: emu.http, ws: emu.ws, token: emu.token, dataDir: emu.dataDir, pid: emu.pid, appDir: fixtureApp('scenarios') });
    assert.equal(await emu.stop(), 0);
    assert.equal(fs.existsSync(path.join(dataDir, DISCOVERY_FILE)), false);
    assert.equal(readDiscovery(dataDir), undefined);
  });

  it('the file of a killed emulator is stale and ignored', async () => {
    const dataDir = tempDir();
    const emu = await startEmulator({ app: fixtureApp('scenarios'), dataDir });
    await emu.kill();
    assert.ok(fs.existsSync(path.join(dataDir, DISCOVERY_FILE)), 'SIGKILL leaves the file behind');
    assert.equal(readDiscovery(dataDir), undefined);
  });

  it('a CLI that fails before its ready line: start rejects with its words and the process is gone', async () => {
    const missing = path.join(tempDir(), 'no-such-app');
    const emulator = EmulatorProcess.launch({ cliPath: CLI, appDir: missing, dataDir: tempDir(), port: 0 });
    await assert.rejects(emulator.ready, (error: Error) => /exited before it was ready/.test(error.message) && error.message.includes(missing));
    await emulator.exited;
    assert.equal(emulator.isRunning, false);
  });
});
