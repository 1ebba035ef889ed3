/**
 * Durability under SIGKILL: whatever the emulator acknowledged (a 202 for a start or an event) must
 * survive `kill -9` of the host at any moment, and every instance must then complete.
 */
import * as assert from 'node:assert/strict';
import { RunningEmulator, fixtureApp, startEmulator, tempDir } from '../support/emulatorProcess';
import { api, request, waitFor, waitForStatus } from '../support/httpClient';

interface Acked {
  id: string;
  kind: 'hello' | 'fanout' | 'approval' | 'timer';
  /** For approvals: the event value once its raise was acknowledged. */
  event?: number;
}

async function load(emu: RunningEmulator, round: number, acked: Acked[], stop: () => boolean): Promise<void> {
  let n = 0;
  const client = async (worker: number) => {
    while (!stop()) {
      const i = n++;
      const kinds: Acked['kind'][] = ['hello', 'fanout', 'approval', 'timer'];
      const kind = kinds[i % kinds.length];
      const id = `r${round}-w${worker}-${i}`;
      const name = { hello: 'HelloSequence', fanout: 'FanOutFanIn', approval: 'WaitForApproval', timer: 'TimerOnly' }[kind];
      const input = kind === 'fanout' ? 5 : kind === 'timer' ? 1500 : undefined;
      try {
        const reply = await request('POST', `${api(emu.http)}/orchestrators/${name}/${id}`, input);
        if (reply.status !== 202) continue;
        const entry: Acked = { id, kind };
        acked.push(entry);
        if (kind === 'approval') {
          const raised = await request('POST', `${api(emu.http)}/instances/${id}/raiseEvent/Approval`, i);
          if (raised.status === 202) entry.event = i;
        }
      } catch {
        return; // the host is gone
      }
    }
  };
  await Promise.all([0, 1, 2, 3, 4, 5].map(client));
}

describe('crash safety (SIGKILL of the host under load)', function () {
  this.timeout(240_000);

  it('loses nothing acknowledged and completes every instance after restart', async () => {
    const dataDir = tempDir();
    const app = fixtureApp('scenarios');
    const acked: Acked[] = [];
    for (let round = 0; round < 3; round++) {
      const emu = await startEmulator({ app, dataDir });
      let killed = false;
      const running = load(emu, round, acked, () => killed);
      const target = acked.length + 20 + Math.floor(Math.random() * 40);
      await waitFor(() => acked.length >= target, `${target} acknowledged starts`, 60_000, 5);
      await emu.kill();
      killed = true;
      await running;
    }

    const emu = await startEmulator({ app, dataDir });
    try {
      for (const entry of acked) {
        const status = await waitForStatus(emu.http, entry.id, ['Completed', 'Failed', 'Running'], 30_000);
        assert.ok(status, `instance ${entry.id} was acknowledged but is missing after the crash`);
      }
      // Approvals whose event was not acknowledged still wait for one: give it to them now.
      for (const entry of acked.filter((a) => a.kind === 'approval' && a.event === undefined)) {
        await request('POST', `${api(emu.http)}/instances/${entry.id}/raiseEvent/Approval`, -1);
      }
      for (const entry of acked) {
        const status = await waitForStatus(emu.http, entry.id, ['Completed', 'Failed'], 60_000);
        assert.equal(status.runtimeStatus, 'Completed', `${entry.id}: ${JSON.stringify(status)}`);
        if (entry.kind === 'hello') assert.deepEqual(status.output, ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
        if (entry.kind === 'fanout') assert.equal(status.output, 10);
        if (entry.kind === 'approval' && entry.event !== undefined) assert.equal(status.output, entry.event);
      }
      const kinds = new Set(acked.map((a) => a.kind));
      assert.equal(kinds.size, 4, 'every kind of instance was exercised');
    } finally {
      await emu.stop();
    }
  });
});
