/**
 * Generated histories for the timeline: a long pipeline of fan-outs, sequences, retries, timers, races,
 * sub-orchestrations, callHttp and entity calls, with exactly the requested number of events, shaped as the
 * emulator writes them (episodes between OrchestratorStarted/Completed, completions batched, sequence ids
 * as the SDK assigns them). Deterministic for a seed. Also the entity-call fixture (entities are not in the
 * scenario app yet; the format follows reference/durable-functions-protocol.md §4).
 */
import type { HistoryPage, InstanceDetail } from '../../../emulator/protocol/control';
import { EventType, type HistoryEvent } from '../../../emulator/protocol/durable';
import type { TimelineFixture } from './fixtures';

const T = EventType;

/** Small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Delivery {
  at: number;
  events: HistoryEvent[];
  /** Runs in the episode that delivers this: may schedule more and return more deliveries (retries). */
  then?: (ctx: Episode) => Delivery[];
}

interface Episode {
  at: number;
  schedule(e: Omit<HistoryEvent, 'Timestamp' | 'IsPlayed'>): void;
  nextId(): number;
}

export interface GenerateOptions {
  events: number;
  seed?: number;
  instanceId?: string;
  /** Start time (ms); default 2026-01-05T09:00:00Z. */
  start?: number;
  /** Leave the instance running (no completion; the last fan-out still pending). */
  running?: boolean;
}

export function generateHistory(options: GenerateOptions): TimelineFixture {
  const rnd = random(options.seed ?? 42);
  const instanceId = options.instanceId ?? 'big-pipeline';
  const executionId = 'e0000000000000000000000000000001';
  const events: HistoryEvent[] = [];
  let now = options.start ?? Date.parse('2026-01-05T09:00:00.000Z');
  let seq = 0;
  const iso = (ms: number) => new Date(ms).toISOString();
  const push = (e: Omit<HistoryEvent, 'Timestamp' | 'IsPlayed'>, at: number) => events.push({ ...e, Timestamp: iso(at), IsPlayed: false } as HistoryEvent);
  const guid = () => Array.from({ length: 32 }, () => Math.floor(rnd() * 16).toString(16)).join('');
  const between = (a: number, b: number) => a + Math.floor(rnd() * (b - a));

  const episode = (at: number, incoming: HistoryEvent[], body: (ctx: Episode) => void) => {
    push({ EventType: T.OrchestratorStarted, EventId: -1 }, at);
    for (const e of incoming) events.push(e);
    const ctx: Episode = { at, schedule: (e) => push(e, at + 1), nextId: () => seq++ };
    body(ctx);
    push({ EventType: T.OrchestratorCompleted, EventId: -1 }, at + 2);
  };
  const completed = (id: number, at: number, result: unknown): HistoryEvent =>
    ({ EventType: T.TaskCompleted, EventId: -1, TaskScheduledId: id, Result: JSON.stringify(result), Timestamp: iso(at), IsPlayed: false }) as HistoryEvent;

  // Stages: each schedules in the current episode and returns the deliveries that complete it.
  type Stage = (ctx: Episode) => Delivery[];
  const fanOut = (k: number, name: string): Stage => (ctx) => {
    const out: Delivery[] = [];
    for (let j = 0; j < k; j++) {
      const id = ctx.nextId();
      ctx.schedule({ EventType: T.TaskScheduled, EventId: id, Name: name, Input: JSON.stringify({ item: j, batch: id }) });
      const at = ctx.at + between(8, 400);
      out.push({ at, events: [completed(id, at, { item: j, ok: true, size: between(1, 9999) })] });
    }
    return out;
  };
  const activity = (name: string, ms: [number, number]): Stage => (ctx) => {
    const id = ctx.nextId();
    ctx.schedule({ EventType: T.TaskScheduled, EventId: id, Name: name, Input: JSON.stringify(`step-${id}`) });
    const at = ctx.at + between(ms[0], ms[1]);
    return [{ at, events: [completed(id, at, `done ${name} ${id}`)] }];
  };
  const retried = (name: string, failures: number): Stage => {
    const attempt = (ctx: Episode, n: number): Delivery[] => {
      const id = ctx.nextId();
      ctx.schedule({ EventType: T.TaskScheduled, EventId: id, Name: name, Input: JSON.stringify({ key: 'flaky' }) });
      const at = ctx.at + between(20, 120);
      if (n > failures) return [{ at, events: [completed(id, at, `ok after ${n}`)] }];
      const failed = {
        EventType: T.TaskFailed, EventId: -1, TaskScheduledId: id, Timestamp: iso(at), IsPlayed: false,
        Reason: `attempt ${n} failed`, Details: `Error: attempt ${n} failed\n    at handler (app/activities.js:19:13)`,
      } as HistoryEvent;
      return [{
        at, events: [failed], then: (c2) => {
          const timerId = c2.nextId();
          const fireAt = c2.at + 500 * n;
          c2.schedule({ EventType: T.TimerCreated, EventId: timerId, FireAt: iso(fireAt) });
          const fired = { EventType: T.TimerFired, EventId: -1, TimerId: timerId, FireAt: iso(fireAt), Timestamp: iso(fireAt + 1), IsPlayed: false } as HistoryEvent;
          return [{ at: fireAt + 1, events: [fired], then: (c3) => attempt(c3, n + 1) }];
        },
      }];
    };
    return (ctx) => attempt(ctx, 1);
  };
  const timer = (ms: number): Stage => (ctx) => {
    const id = ctx.nextId();
    const fireAt = ctx.at + ms;
    ctx.schedule({ EventType: T.TimerCreated, EventId: id, FireAt: iso(fireAt) });
    return [{ at: fireAt + 1, events: [{ EventType: T.TimerFired, EventId: -1, TimerId: id, FireAt: iso(fireAt), Timestamp: iso(fireAt + 1), IsPlayed: false } as HistoryEvent] }];
  };
  const race = (eventName: string): Stage => (ctx) => {
    const id = ctx.nextId();
    ctx.schedule({ EventType: T.TimerCreated, EventId: id, FireAt: iso(ctx.at + 3_600_000) });
    const at = ctx.at + between(200, 2000);
    return [{ at, events: [{ EventType: T.EventRaised, EventId: -1, Name: eventName, Input: JSON.stringify({ approved: rnd() > 0.3 }), Timestamp: iso(at), IsPlayed: false } as HistoryEvent] }];
  };
  const sub = (name: string): Stage => (ctx) => {
    const id = ctx.nextId();
    const child = `${instanceId}:${id}`;
    ctx.schedule({ EventType: T.SubOrchestrationInstanceCreated, EventId: id, Name: name, InstanceId: child, Input: JSON.stringify({ part: id }) });
    const at = ctx.at + between(100, 900);
    return [{ at, events: [{ EventType: T.SubOrchestrationInstanceCompleted, EventId: -1, TaskScheduledId: id, Result: JSON.stringify({ part: id, rows: between(1, 500) }), Timestamp: iso(at), IsPlayed: false } as HistoryEvent] }];
  };
  const http = (): Stage => (ctx) => {
    const id = ctx.nextId();
    const uri = `https://api.example.test/orders/${id}`;
    ctx.schedule({ EventType: T.TaskScheduled, EventId: id, Name: 'BuiltIn::HttpActivity', Input: JSON.stringify({ method: 'GET', uri, asynchronousPatternEnabled: true }) });
    const at = ctx.at + between(50, 600);
    return [{ at, events: [completed(id, at, { statusCode: rnd() > 0.2 ? 200 : 404, headers: { 'content-type': 'application/json' }, content: `{"id":${id}}` })] }];
  };
  const entity = (op: string): Stage => (ctx) => {
    const id = ctx.nextId();
    const requestId = guid();
    ctx.schedule({ EventType: T.EventSent, EventId: id, Name: op, InstanceId: '@counter@c1', Input: JSON.stringify({ id: requestId, op, signal: false, input: '1' }) });
    const at = ctx.at + between(5, 60);
    return [{ at, events: [{ EventType: T.EventRaised, EventId: -1, Name: requestId, Input: JSON.stringify({ result: JSON.stringify(between(1, 100)) }), Timestamp: iso(at), IsPlayed: false } as HistoryEvent] }];
  };

  const pickStage = (): Stage => {
    const r = rnd();
    if (r < 0.3) return fanOut(between(5, 60), rnd() < 0.5 ? 'ProcessItem' : 'Resize');
    if (r < 0.55) return activity(['Validate', 'Charge', 'Notify', 'Persist'][between(0, 4)], [10, 800]);
    if (r < 0.63) return retried('FlakyCall', between(1, 4));
    if (r < 0.7) return timer(between(500, 5000));
    if (r < 0.76) return race('Approval');
    if (r < 0.84) return sub('ProcessPart');
    if (r < 0.92) return http();
    return entity('add');
  };

  // Start.
  push({ EventType: T.OrchestratorStarted, EventId: -1 }, now);
  push({
    EventType: T.ExecutionStarted, EventId: -1, Name: 'BigPipeline', Version: '', Input: JSON.stringify({ orders: 1000 }),
    OrchestrationInstance: { InstanceId: instanceId, ExecutionId: executionId }, ParentInstance: null,
  }, now);
  const deliveries = pickStage()({ at: now, schedule: (e) => push(e, now + 1), nextId: () => seq++ });
  push({ EventType: T.OrchestratorCompleted, EventId: -1 }, now + 2);

  const target = options.events;
  const reserve = 500; // room for the last stage's completions and the final fan-out
  let stages = 0;
  while (deliveries.length) {
    // Deliver completions in batches of episodes, as they arrive; the last one runs the next stage.
    deliveries.sort((a, b) => a.at - b.at);
    const batchEnd = deliveries[0].at + 15;
    const batch: Delivery[] = [];
    while (deliveries.length && deliveries[0].at <= batchEnd) batch.push(deliveries.shift()!);
    const at = Math.max(now + 3, batch[batch.length - 1].at + 2);
    now = at;
    const next: Delivery[] = [];
    let picked = false;
    episode(at, batch.flatMap((d) => d.events), (ctx) => {
      for (const d of batch) if (d.then) next.push(...d.then(ctx));
      if (deliveries.length === 0 && next.length === 0 && events.length + reserve < target) {
        next.push(...pickStage()(ctx));
        picked = true;
      }
    });
    now += 3;
    deliveries.push(...next);
    if (picked && ++stages % 60 === 0) {
      push({ EventType: T.ExecutionSuspended, EventId: -1, Reason: 'paused by operator' }, now + 1);
      push({ EventType: T.ExecutionResumed, EventId: -1, Reason: 'resumed' }, now + 800);
      now += 801;
    }
  }

  // Fill exactly: a last fan-out of k (2k + 5 events with the final episode), plus one event if odd.
  // Running: the final episode is not there (k + 2 events, plus one if odd).
  const remaining = target - events.length;
  const odd = options.running ? false : (remaining - 5) % 2 !== 0;
  const k = options.running ? Math.max(1, remaining - 2) : Math.max(1, (remaining - 5 - (odd ? 1 : 0)) / 2);
  const lastAt = now + 5;
  push({ EventType: T.OrchestratorStarted, EventId: -1 }, lastAt);
  if (odd) push({ EventType: T.EventRaised, EventId: -1, Name: 'Progress', Input: '{"stage":"final"}' }, lastAt);
  const finalIds: number[] = [];
  for (let j = 0; j < k; j++) {
    const id = seq++;
    finalIds.push(id);
    push({ EventType: T.TaskScheduled, EventId: id, Name: 'Archive', Input: JSON.stringify({ shard: j }) }, lastAt + 1);
  }
  push({ EventType: T.OrchestratorCompleted, EventId: -1 }, lastAt + 2);
  let end = lastAt + 2;
  if (!options.running) {
    const doneAt = lastAt + 400;
    push({ EventType: T.OrchestratorStarted, EventId: -1 }, doneAt);
    for (const id of finalIds) events.push(completed(id, lastAt + between(20, 390), { archived: id }));
    push({ EventType: T.ExecutionCompleted, EventId: -1, OrchestrationStatus: 'Completed', Result: JSON.stringify({ processed: seq }) }, doneAt + 1);
    push({ EventType: T.OrchestratorCompleted, EventId: -1 }, doneAt + 1);
    end = doneAt + 1;
  }

  const startIso = events[1].Timestamp;
  const instance: InstanceDetail = {
    instanceId,
    executionId,
    name: 'BigPipeline',
    runtimeStatus: options.running ? 'Running' : 'Completed',
    createdTime: startIso,
    lastUpdatedTime: iso(end),
    completedTime: options.running ? null : iso(end),
    parentInstanceId: null,
    failure: null,
    input: { orders: 1000 },
    output: options.running ? null : { processed: seq },
    customStatus: { stage: 'archive' },
    executions: [{ executionId, eventCount: events.length }],
    waitingForEvents: [],
  };
  const history: HistoryPage = { executionId, from: 0, events, total: events.length };
  return { description: `Generated BigPipeline history of ${events.length} events (seed ${options.seed ?? 42})`, instance, history };
}

/** An orchestration that calls an entity twice (one fails), signals it once, and completes. */
export function entityFixture(): TimelineFixture {
  const instanceId = 'entity-calls-1';
  const executionId = 'e0000000000000000000000000000002';
  const t0 = Date.parse('2026-01-05T10:00:00.000Z');
  const at = (ms: number) => new Date(t0 + ms).toISOString();
  const ev = (ms: number, e: Omit<HistoryEvent, 'Timestamp' | 'IsPlayed'>): HistoryEvent => ({ ...e, Timestamp: at(ms), IsPlayed: false }) as HistoryEvent;
  const r1 = '6f1c2a7e9b0d4c3f8e2a1b0c9d8e7f60';
  const r2 = '0a9b8c7d6e5f40312f1e0d9c8b7a6950';
  const events: HistoryEvent[] = [
    ev(0, { EventType: T.OrchestratorStarted, EventId: -1 }),
    ev(0, { EventType: T.ExecutionStarted, EventId: -1, Name: 'CounterClient', Version: '', Input: '"c1"', OrchestrationInstance: { InstanceId: instanceId, ExecutionId: executionId }, ParentInstance: null }),
    ev(3, { EventType: T.EventSent, EventId: 0, Name: 'add', InstanceId: '@counter@c1', Input: JSON.stringify({ id: r1, op: 'add', signal: false, input: '5' }) }),
    ev(4, { EventType: T.OrchestratorCompleted, EventId: -1 }),
    ev(40, { EventType: T.OrchestratorStarted, EventId: -1 }),
    ev(38, { EventType: T.EventRaised, EventId: -1, Name: r1, Input: JSON.stringify({ result: '15' }) }),
    ev(41, { EventType: T.EventSent, EventId: 1, Name: 'reset', InstanceId: '@counter@c1', Input: JSON.stringify({ id: 'b1b2b3b4', op: 'reset', signal: true }) }),
    ev(41, { EventType: T.EventSent, EventId: 2, Name: 'divide', InstanceId: '@counter@c1', Input: JSON.stringify({ id: r2, op: 'divide', signal: false, input: '0' }) }),
    ev(42, { EventType: T.OrchestratorCompleted, EventId: -1 }),
    ev(95, { EventType: T.OrchestratorStarted, EventId: -1 }),
    ev(93, { EventType: T.EventRaised, EventId: -1, Name: r2, Input: JSON.stringify({ result: '"division by zero"', exceptionType: 'RangeError' }) }),
    ev(97, { EventType: T.ExecutionCompleted, EventId: -1, OrchestrationStatus: 'Completed', Result: '"15"' }),
    ev(97, { EventType: T.OrchestratorCompleted, EventId: -1 }),
  ];
  const instance: InstanceDetail = {
    instanceId, executionId, name: 'CounterClient', runtimeStatus: 'Completed', createdTime: at(0), lastUpdatedTime: at(97), completedTime: at(97),
    parentInstanceId: null, failure: null, input: 'c1', output: '15', customStatus: null, executions: [{ executionId, eventCount: events.length }], waitingForEvents: [],
  };
  return { description: 'CounterClient: calls @counter@c1 add (15), signals reset, calls divide which fails', instance, history: { executionId, from: 0, events, total: events.length } };
}
