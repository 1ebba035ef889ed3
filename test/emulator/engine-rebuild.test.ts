/**
 * The engine's state is stored as deltas beside the history (the instance row holds the state its
 * execution started from) and kept in memory between turns. After every turn of every instance, the
 * state held in memory must equal the one rebuilt from storage: retries (ids taken during replay),
 * timers (one cancelled), sub-orchestrations, continue-as-new and callHttp.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Emulator } from '../../emulator/host/emulator';
import { rebuild } from '../../emulator/host/runtime/engineStates';
import { isTerminal } from '../../emulator/protocol/durable';
import { fixtureApp, tempDir } from './support/emulatorProcess';
import { api, request, startOrchestration, waitForStatus } from './support/httpClient';

describe('engine state: held in memory = rebuilt from storage', function () {
  this.timeout(120_000);
  let emu: Emulator;
  let stub: http.Server;
  const compared = new Map<string, number>();
  const mismatches: string[] = [];

  before(async () => {
    emu = await Emulator.start({ appDir: fixtureApp('scenarios'), port: 0, dataDir: tempDir() });
    emu.service.on('instance', (row) => {
      const held = emu.service.engineState(row.instanceId);
      if (!held || isTerminal(row.runtimeStatus)) return;
      compared.set(row.name, (compared.get(row.name) ?? 0) + 1);
      const rebuilt = rebuild(emu.store, row);
      try {
        assert.deepEqual(rebuilt, held);
      } catch (error) {
        mismatches.push(`${row.instanceId} (${row.name}): ${(error as Error).message}`);
      }
    });
    let calls = 0;
    stub = http.createServer((req, res) => {
      calls++;
      if (calls % 2) res.writeHead(202, { Location: `http://127.0.0.1:${(stub.address() as AddressInfo).port}/poll`, 'Retry-After': '0' }).end();
      else res.writeHead(200, { 'Content-Type': 'text/plain' }).end('done');
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await emu?.stop();
    await new Promise((resolve) => stub?.close(resolve));
  });

  it('after every turn, for retries, timers, sub-orchestrations, continue-as-new and callHttp', async () => {
    const base = emu.httpUrl;
    const starts: Array<[string, unknown]> = [
      ['RetryActivity', { key: 'rebuild-retry', failures: 2, maxAttempts: 3 }],
      ['ParallelRetry', { key: 'rebuild-parallel', failures: 2, timerMs: 150 }],
      ['RetryInterleaved', { key: 'rebuild-interleaved', failures: 1, steps: 2 }],
      ['SubOrchRetry', { key: 'rebuild-sub', failures: 1, explicitId: true }],
      ['ParentOrch', 4],
      ['ContinueAsNewInflight', undefined],
      ['ContinueAsNewTimer', undefined],
      ['EventThenTimer', { timeoutMs: 5000, thenMs: 200 }],
      ['CallHttp', { url: `http://127.0.0.1:${(stub.address() as AddressInfo).port}/start` }],
    ];
    const ids = await Promise.all(starts.map(([name, input]) => startOrchestration(base, name, input)));
    const waiting = ids[starts.findIndex(([name]) => name === 'EventThenTimer')];
    await waitForStatus(base, waiting, ['Running']);
    assert.equal((await request('POST', `${api(base)}/instances/${waiting}/raiseEvent/Go`, JSON.stringify('now'), { 'content-type': 'application/json' })).status, 202);
    for (const id of ids) {
      const status = await waitForStatus(base, id, ['Completed', 'Failed', 'Terminated'], 60_000);
      assert.equal(status.runtimeStatus, 'Completed', `${id}: ${JSON.stringify(status)}`);
    }
    assert.deepEqual(mismatches, []);
    for (const [name] of starts) assert.ok((compared.get(name) ?? 0) > 0, `${name} was compared`);
    assert.ok((compared.get('FlakyChild') ?? 0) + (compared.get('HelloSequence') ?? 0) > 0, 'sub-orchestrations were compared');
  });
});
