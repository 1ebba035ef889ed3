import * as assert from 'node:assert/strict';
import { RunningEmulator, fixtureApp, startEmulator } from '../support/emulatorProcess';
import { startOrchestration, waitForStatus } from '../support/httpClient';

describe('emulator smoke', () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ app: fixtureApp('scenarios') });
  });
  after(async () => {
    await emu?.stop();
  });

  it('runs a hello sequence end to end', async () => {
    const id = await startOrchestration(emu.http, 'HelloSequence');
    const status = await waitForStatus(emu.http, id, ['Completed', 'Failed']);
    assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
  });
});
