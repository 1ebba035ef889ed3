import { strict as assert } from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openStore } from '../../emulator/host/storage/sqlStore';

/**
 * A real crash: storage-crash-child.ts commits as fast as it can (checkpointing every 256 KiB), and is
 * SIGKILLed at a random point; the store must then hold every transaction the child printed as
 * acknowledged, and be exactly the state after some prefix of its transactions. Each round continues
 * from the state the previous crash left.
 */
describe('storage: SIGKILL under load', function () {
  this.timeout(120_000);
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  after(() => {
    child?.kill('SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged transaction and a consistent state', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-crash-'));
    const childScript = path.join(__dirname, 'storage-crash-child.js');
    let checkpointed = 0;
    for (let round = 0; round < 6; round++) {
      const acked: number[] = [];
      const target = 100 + Math.floor(Math.random() * 2000); // kill at a random point of the run
      let stderr = '';
      let exited = false;
      child = spawn(process.execPath, [childScript, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      // Resolves once the process is reaped: a zombie would still look alive to the lock's pid check.
      const exit = new Promise((resolve) => child!.on('exit', resolve));
      await new Promise<void>((resolve) => {
        let partial = '';
        child!.stdout!.on('data', (chunk: Buffer) => {
          const lines = (partial + chunk.toString()).split('\n');
          partial = lines.pop()!;
          for (const line of lines) acked.push(Number(line));
          if (acked.length >= target) resolve();
        });
        child!.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child!.on('exit', () => {
          exited = true;
          resolve();
        });
      });
      assert.ok(!exited, `the child exited early: ${stderr}`);
      await assert.rejects(openStore(dir), new RegExp(`in use by process ${child.pid}`), 'the live child holds the lock');
      child.kill('SIGKILL');
      await exit;
      if (fs.existsSync(path.join(dir, 'state.sqlite'))) checkpointed++;

      const store = await openStore(dir);
      try {
        const count = store.historyLength('log', 'e');
        assert.ok(acked.every((seq) => seq < count), `round ${round}: acknowledged up to ${Math.max(...acked)}, store has ${count}`);
        // The state is exactly that of transactions 0..count-1.
        assert.deepEqual(store.getHistory('log').map((e) => e.EventId), Array.from({ length: count }, (_, i) => i));
        assert.equal(store.getInstance('log')!.lastUpdatedTime, count - 1);
        const items = store.queryInstances({ instanceIdPrefix: 'i-', orderBy: 'createdTime', descending: false }).instances;
        assert.deepEqual(items.map((r) => [r.instanceId, r.input]), Array.from({ length: count }, (_, i) => [`i-${i}`, String(i)]));
        assert.deepEqual(
          store.allWorkItems().map((w) => [w.id, w.taskId]),
          Array.from({ length: count }, (_, i) => [i + 1, i]),
        );
        const kept = Array.from({ length: Math.min(count, 10) }, (_, i) => count - Math.min(count, 10) + i);
        assert.deepEqual(store.getMessages('m').map((m) => [m.id, m.event.EventId]), kept.map((s) => [s + 1, s]));
      } finally {
        await store.close();
      }
    }
    assert.ok(checkpointed > 0, 'checkpoints happened during the run');
  });
});
