/**
 * Deferred writes: rows and events reach SQLite in batches, queues live in memory. Whatever the batching,
 * every read must show what a write-through store would, before and after replay and checkpoints.
 */
import { strict as assert } from 'assert';
import type { InstanceRow, MessageRow, TimerRow, Transaction, WorkItemRow } from '../../emulator/host/storage/store';
import { EventType, HistoryEvent } from '../../emulator/protocol/durable';
import { cleanUpAfterEach, crashCopy, event, instance, open, snapshot, tempDir } from './support/storeFixtures';

/** A small deterministic PRNG (mulberry32), so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const IDS = ['p', 'q', 'r', 's'];

/**
 * Random transactions over a few instances: turns (row + events + queue changes), continue-as-new,
 * rewinds (rewritten histories), purges and re-creations, events raised. `taken` tracks the queue ids
 * the store assigned, so later transactions delete ones that exist (and some that do not).
 */
function workload(seed: number, count: number): (taken: { messages: number[]; work: number[] }) => Transaction {
  const next = random(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)];
  const executions = new Map<string, number>();
  let clock = 1_700_000_000_000;
  let step = 0;
  return (taken) => {
    const id = pick(IDS);
    const execution = `e${executions.get(id) ?? 0}`;
    const row = instance(id, { executionId: execution, lastUpdatedTime: clock++, engineState: `{"step":${step++}}`, runtimeStatus: pick(['Pending', 'Running', 'Completed'] as const) });
    const events = Array.from({ length: Math.floor(next() * 4) }, (_, i) => event(EventType.TaskScheduled, i, { Name: `t${step}` }));
    const roll = next();
    if (roll < 0.08) return { purgeInstances: [id], ...(next() < 0.5 ? { upsertInstances: [row] } : {}) };
    if (roll < 0.16) return { upsertInstances: [row], replaceHistory: [{ instanceId: id, executionId: execution, events }] };
    if (roll < 0.26) {
      executions.set(id, (executions.get(id) ?? 0) + 1);
      const renewed = { ...row, executionId: `e${executions.get(id)}` };
      return { upsertInstances: [renewed], appendHistory: [{ instanceId: id, executionId: renewed.executionId, events }], clearTimers: [id], clearWorkItems: [id] };
    }
    const engine = events.length && next() < 0.7 ? { step } : undefined;
    const tx: Transaction = { upsertInstances: [row], appendHistory: [{ instanceId: id, executionId: execution, events, engine }] };
    if (next() < 0.4) tx.addMessages = [{ instanceId: pick(IDS), event: event(EventType.EventRaised, -1, { Name: `m${step}` }) }];
    if (next() < 0.4) tx.addWorkItems = [{ kind: 'activity', instanceId: id, executionId: execution, taskId: step, name: 'A', input: null, createdTime: clock }];
    if (next() < 0.3) tx.addTimers = [{ instanceId: id, executionId: execution, timerId: step % 5, fireAt: clock + step }];
    if (next() < 0.3 && taken.messages.length) tx.deleteMessages = [pick(taken.messages)];
    if (next() < 0.3 && taken.work.length) tx.deleteWorkItems = [pick(taken.work), 99_999];
    if (next() < 0.2) tx.deleteTimers = [{ instanceId: id, timerId: step % 5 }];
    if (next() < 0.1) tx.clearMessages = [pick(IDS)];
    if (step > count) throw new Error('workload exhausted');
    return tx;
  };
}

/** What a store must show after a sequence of transactions, computed the plain way (the test's oracle). */
class ModelStore {
  private readonly rows = new Map<string, InstanceRow>();
  private readonly executions = new Map<string, Array<{ executionId: string; events: HistoryEvent[]; engine: unknown[] }>>();
  private readonly messages = new Map<number, MessageRow>();
  private readonly timers = new Map<string, TimerRow>();
  private readonly work = new Map<number, WorkItemRow>();

  apply(tx: Transaction): void {
    const drop = <V extends { instanceId: string }>(map: Map<unknown, V>, id: string) => {
      for (const [key, value] of map) if (value.instanceId === id) map.delete(key);
    };
    for (const id of tx.purgeInstances ?? []) {
      this.rows.delete(id);
      this.executions.delete(id);
      [this.messages, this.timers, this.work].forEach((map) => drop(map as Map<unknown, { instanceId: string }>, id));
    }
    for (const id of tx.clearMessages ?? []) drop(this.messages, id);
    for (const id of tx.clearTimers ?? []) drop(this.timers, id);
    for (const id of tx.clearWorkItems ?? []) drop(this.work, id);
    for (const id of tx.deleteMessages ?? []) this.messages.delete(id);
    for (const t of tx.deleteTimers ?? []) this.timers.delete(`${t.instanceId}/${t.timerId}`);
    for (const id of tx.deleteWorkItems ?? []) this.work.delete(id);
    for (const row of tx.upsertInstances ?? []) {
      this.rows.set(row.instanceId, row);
      this.execution(row.instanceId, row.executionId);
    }
    for (const h of tx.replaceHistory ?? []) Object.assign(this.execution(h.instanceId, h.executionId), { events: [...h.events], engine: [] });
    for (const h of tx.appendHistory ?? []) {
      const execution = this.execution(h.instanceId, h.executionId);
      execution.events.push(...h.events);
      if (h.engine !== undefined) execution.engine.push(h.engine);
    }
    for (const m of tx.addMessages ?? []) this.messages.set(m.id!, { id: m.id!, instanceId: m.instanceId, event: m.event });
    for (const t of tx.addTimers ?? []) this.timers.set(`${t.instanceId}/${t.timerId}`, t);
    for (const w of tx.addWorkItems ?? []) this.work.set(w.id!, { ...w, id: w.id!, input: w.input ?? null });
  }

  /** Ids of queued messages and work items, to delete some later. */
  get taken(): { messages: number[]; work: number[] } {
    return { messages: [...this.messages.keys()], work: [...this.work.keys()] };
  }

  /** Shaped as storeFixtures' snapshot(). */
  snapshot(ids: string[]): unknown {
    const byId = <T extends { id: number }>(a: T, b: T) => a.id - b.id;
    const history = (id: string, executionId: string) => this.executions.get(id)?.find((e) => e.executionId === executionId)?.events ?? [];
    return {
      instances: [...this.rows.values()].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1)),
      executions: ids.map((id) => (this.executions.get(id) ?? []).map((e) => ({ executionId: e.executionId, eventCount: e.events.length, events: e.events, engine: e.engine }))),
      current: ids.map((id) => (this.rows.has(id) ? history(id, this.rows.get(id)!.executionId) : [])),
      messages: ids.map((id) => [...this.messages.values()].filter((m) => m.instanceId === id).sort(byId)),
      withMessages: [...new Set([...this.messages.values()].map((m) => m.instanceId))].sort(),
      timers: [...this.timers.values()].sort((a, b) => a.fireAt - b.fireAt || (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0) || a.timerId - b.timerId),
      workItems: [...this.work.values()].sort(byId),
    };
  }

  private execution(instanceId: string, executionId: string): { executionId: string; events: HistoryEvent[]; engine: unknown[] } {
    let list = this.executions.get(instanceId);
    if (!list) this.executions.set(instanceId, (list = []));
    let entry = list.find((e) => e.executionId === executionId);
    if (!entry) list.push((entry = { executionId, events: [], engine: [] }));
    return entry;
  }
}

describe('storage: deferred writes', () => {
  cleanUpAfterEach();

  it('answers point reads from what is not yet written, and writes it before other reads', async () => {
    const store = await open(tempDir());
    await store.commit({ upsertInstances: [instance('x')], appendHistory: [{ instanceId: 'x', executionId: 'exec-1', events: [event(EventType.ExecutionStarted, -1)] }] });
    await store.commit({ upsertInstances: [instance('x', { runtimeStatus: 'Completed' })], appendHistory: [{ instanceId: 'x', executionId: 'exec-1', events: [event(EventType.ExecutionCompleted, -1)] }] });
    assert.equal(store.getInstance('x')!.runtimeStatus, 'Completed');
    assert.equal(store.historyLength('x', 'exec-1'), 2);
    assert.equal(store.countInstances({ runtimeStatus: ['Completed'] }), 1);
    assert.deepEqual(store.getHistory('x').map((e) => e.EventType), [EventType.ExecutionStarted, EventType.ExecutionCompleted]);
    await store.commit({ appendHistory: [{ instanceId: 'x', executionId: 'exec-1', events: [event(EventType.EventRaised, -1)] }] });
    assert.equal(store.historyLength('x', 'exec-1'), 3);
    assert.deepEqual(store.getHistoryRange('x', 'exec-1', 1, 5).map((e) => e.EventType), [EventType.ExecutionCompleted, EventType.EventRaised]);
  });

  it('keeps long, empty and non-ASCII text exactly (long text is written as UTF-8 bytes)', async () => {
    const dir = tempDir();
    const store = await open(dir);
    const long = JSON.stringify('Grüße, 東京 🚀 '.repeat(20));
    const row = instance('t', { input: long, output: '', customStatus: 'x'.repeat(65), engineState: JSON.stringify({ note: 'é'.repeat(64) }) });
    const events = [event(EventType.ExecutionStarted, -1, { Input: long, Name: '名前' })];
    await store.commit({ upsertInstances: [row], appendHistory: [{ instanceId: 't', executionId: 'exec-1', events }] });
    const read = (s: typeof store) => ({ row: s.queryInstances({}).instances[0], history: s.getHistory('t') });
    assert.deepEqual(read(store), { row, history: events });
    await store.close();
    assert.deepEqual(read(await open(dir)), { row, history: events });
  });

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`shows what the transactions say however writes are batched, replayed or checkpointed (seed ${seed})`, async () => {
      const dir = tempDir();
      const store = await open(dir);
      const model = new ModelStore();
      const next = workload(seed, 400);
      const chance = random(seed + 100);
      let crash = '';
      let atCrash: unknown;
      let checkpointed: Promise<void> | undefined;
      for (let i = 0; i < 300; i++) {
        const tx = next(model.taken);
        await store.commit(tx);
        model.apply(tx);
        // A read that needs SQLite writes what waits: reads at random moments vary the batches.
        if (chance() < 0.1) assert.deepEqual(snapshot(store, IDS), model.snapshot(IDS), `after transaction ${i}`);
        // A checkpoint runs beside the commits that follow it; they stay in the journal it leaves.
        if (i === 150) checkpointed = store.checkpoint();
        if (i === 170) await checkpointed;
        if (i === 220) {
          crash = crashCopy(dir);
          atCrash = structuredClone(model.snapshot(IDS)); // the model changes on
        }
      }
      const expected = model.snapshot(IDS);
      assert.deepEqual(snapshot(store, IDS), expected);
      await store.close();
      assert.deepEqual(snapshot(await open(dir), IDS), expected, 'after the checkpoint of close');
      const replayed = await open(crash);
      assert.equal(replayed.recovery.replayed, 221 - 151, 'the checkpoint, then the journal after it');
      assert.deepEqual(snapshot(replayed, IDS), atCrash);
    });
  }
});
