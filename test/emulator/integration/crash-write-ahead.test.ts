/**
 * The write-ahead rule under SIGKILL: work leaves the host only once the commit that scheduled it is
 * durable. Fan-outs are started one after the other; their activities append the instance id to a file outside
 * the emulator. Each round arms a trigger, and the next instance to run its first activity kills the host
 * with SIGKILL from inside that activity: the moment at which, were work dispatched before its commit
 * reached the disk, the instance's start could still be on its way there. After a restart, every instance
 * that ran an activity must exist: an activity of an instance the store never recorded is a side effect
 * of work the emulator has forgotten.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunningEmulator, startEmulator, tempDir } from '../support/emulatorProcess';
import { api, request, waitFor } from '../support/httpClient';
import { copyFixtureApp, removeAppCopies } from '../support/tempApp';

const FAN_OUT = 20;
const ROUNDS = 8;

/**
 * App functions that record every activity run in `log`. While `trigger` exists, the first activity of an
 * instance that has not run one before claims it (one rename wins) and kills the host whose pid it holds.
 */
function recordingFunctions(log: string, trigger: string): string {
  return `const df = require('durable-functions');
const fs = require('node:fs');
const started = new Set();
df.app.activity('RecordRun', {
  handler: (instanceId) => {
    fs.appendFileSync(${JSON.stringify(log)}, instanceId + '\\n');
    if (started.has(instanceId)) return 1;
    started.add(instanceId);
    const claimed = ${JSON.stringify(trigger)} + '.' + process.pid;
    try {
      fs.renameSync(${JSON.stringify(trigger)}, claimed);
    } catch {
      return 1;
    }
    process.kill(Number(fs.readFileSync(claimed, 'utf8')), 'SIGKILL');
    return 1;
  },
});
df.app.orchestration('RecordedFanOut', function* (context) {
  const tasks = [];
  for (let i = 0; i < ${FAN_OUT}; i++) tasks.push(context.df.callActivity('RecordRun', context.df.instanceId));
  const done = yield context.df.Task.all(tasks);
  return done.length;
});
`;
}

function recordedIds(log: string): string[] {
  if (!fs.existsSync(log)) return [];
  return fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

/**
 * Starts fan-outs one after the other until the host is gone, each as soon as the last was answered. One
 * client, so that activities never queue for a slot: a new instance's first activity runs as soon as it is
 * dispatched, which (were dispatch not waiting) could be before the start's own fsync.
 */
async function load(emu: RunningEmulator, round: number): Promise<void> {
  for (let n = 0; ; n++) {
    try {
      await request('POST', `${api(emu.http)}/orchestrators/RecordedFanOut/r${round}-${n}`);
    } catch {
      return; // the host is gone
    }
  }
}

describe('write-ahead (SIGKILL while fan-outs start)', function () {
  this.timeout(300_000);
  let app: string;
  before(() => {
    app = copyFixtureApp('scenarios');
  });
  after(() => removeAppCopies(app));

  it('runs no activity of an instance that is absent after restart', async () => {
    const dataDir = tempDir();
    const scratch = tempDir();
    const log = path.join(scratch, 'activity-runs.log');
    const trigger = path.join(scratch, 'kill-host');
    fs.writeFileSync(path.join(app, 'src', 'functions', 'recorded.js'), recordingFunctions(log, trigger));

    for (let round = 0; round < ROUNDS; round++) {
      const emu = await startEmulator({ app, dataDir });
      const exited = new Promise((resolve) => emu.proc.once('exit', resolve));
      const running = load(emu, round);
      // A different moment each round: after a random number of activity runs.
      const target = recordedIds(log).length + 50 + Math.floor(Math.random() * 300);
      await waitFor(() => recordedIds(log).length >= target, `${target} activity runs`, 120_000, 5);
      fs.writeFileSync(trigger, String(emu.pid));
      await exited;
      await emu.kill();
      await running;
      assert.ok(!fs.existsSync(trigger), 'an activity killed the host');
    }

    const emu = await startEmulator({ app, dataDir });
    try {
      const ran = [...new Set(recordedIds(log))];
      const missing: string[] = [];
      for (const id of ran) {
        const reply = await request('GET', `${api(emu.http)}/instances/${encodeURIComponent(id)}`);
        if (reply.status === 404) missing.push(id);
      }
      assert.deepEqual(missing, [], `activities ran for ${missing.length} of ${ran.length} instances that the store never recorded`);
    } finally {
      await emu.stop();
    }
  });
});
