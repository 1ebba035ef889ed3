/**
 * Drives instances: one turn at a time per instance, many instances at once. A turn reads the
 * instance's queued messages, asks the engine what to do, runs the orchestrator in the worker when
 * needed, and commits the outcome in one transaction. What the instance's next turn needs follows the
 * commit synchronously; what leaves the host (activities, callHttp, timers, other instances' turns) and
 * acknowledgements to clients wait for durability.
 */
import { EventEmitter } from 'node:events';
import { EventType, HistoryEvent, isTerminal } from '../../protocol/durable';
import { EngineState, parseEngineState } from '../engine/engineState';
import { finishEpisode, startEpisode } from '../engine/episode';
import * as ev from '../engine/events';
import type { TurnOutcome } from '../engine/outcome';
import { planRewind } from '../engine/rewind';
import { planTurn } from '../engine/turn';
import type { InstanceRow, Store, Transaction, WorkItemRow } from '../storage/store';
import type { Clock } from './clock';
import { CompletionWaiters } from './completionWaiters';
import { EngineStates } from './engineStates';
import { EpisodeStats } from './episodeStats';
import { FanInPacer } from './fanInPacer';
import { continuedInstanceRow, newInstanceRow } from './instanceRow';
import { Semaphore } from './semaphore';
import { TimerQueue } from './timerQueue';
import { TurnAdmission } from './turnAdmission';
import { VolatileInbox } from './volatileInbox';
import { WorkDispatcher } from './workDispatcher';
import { WorkerEpisodes } from './workerEpisodes';
import type { WorkerProcess } from './workerProcess';

export interface ServiceOptions {
  store: Store;
  worker: WorkerProcess;
  clock: Clock;
  maxConcurrentActivities: number;
  maxConcurrentOrchestrators: number;
  httpPollDefaultMs?: number;
  httpMaxPollMs?: number;
}

/** Events appended to an execution's history (or, with `reset`, its whole rewritten history). */
export interface HistoryChange {
  instanceId: string;
  executionId: string;
  from: number;
  events: HistoryEvent[];
  reset: boolean;
}

const ROW_CACHE_SIZE = 20_000;
/** The longest a start's acknowledgement waits for its first turn (turnAdmission.ts). */
const MAX_ADMISSION_WAIT_MS = 2_000;

export declare interface OrchestrationService {
  on(event: 'instance', listener: (row: InstanceRow) => void): this;
  on(event: 'history', listener: (change: HistoryChange) => void): this;
  on(event: 'purged', listener: (instanceIds: string[]) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

export class OrchestrationService extends EventEmitter {
  readonly store: Store;
  readonly clock: Clock;
  readonly timers: TimerQueue;
  readonly dispatcher: WorkDispatcher;
  readonly episodes = new EpisodeStats();
  private readonly inbox = new VolatileInbox();
  /** Instances that may have stored messages: the others' turns skip that query (most turns are completions). */
  private readonly mayHaveMessages = new Set<string>();
  /** Recently used instance rows, kept current by `commit` (every write to a row goes through it). */
  private readonly rows = new Map<string, InstanceRow>();
  private readonly worker: WorkerProcess;
  private readonly turns: Semaphore;
  private readonly admission = new TurnAdmission(MAX_ADMISSION_WAIT_MS);
  private readonly active = new Set<string>();
  private readonly rerun = new Set<string>();
  private readonly states: EngineStates;
  private readonly episodesInWorker: WorkerEpisodes;
  private readonly waiters = new CompletionWaiters();
  private readonly pacer = new FanInPacer((id) => this.wake(id));
  private stopped = false;

  constructor(options: ServiceOptions) {
    super();
    this.store = options.store;
    this.clock = options.clock;
    this.worker = options.worker;
    this.states = new EngineStates(options.store);
    this.episodesInWorker = new WorkerEpisodes(options.worker, options.store);
    this.turns = new Semaphore(options.maxConcurrentOrchestrators);
    this.timers = new TimerQueue(options.clock, (t) => this.fireTimer(t.instanceId, t.timerId, t.fireAt));
    this.dispatcher = new WorkDispatcher({
      store: options.store,
      worker: options.worker,
      clock: options.clock,
      maxConcurrent: options.maxConcurrentActivities,
      httpPollDefaultMs: options.httpPollDefaultMs ?? 30_000,
      httpMaxPollMs: options.httpMaxPollMs ?? 3_600_000,
      onCompleted: (item, event) => {
        this.inbox.add(item.instanceId, event, { workItemId: item.id });
        this.wake(item.instanceId);
      },
    });
    this.worker.on('ready', () => this.onWorkerReady());
  }

  /** Picks up what storage holds: re-arms timers, re-runs work in flight, resumes queued messages. */
  recover(): void {
    for (const timer of this.store.allTimers()) this.timers.arm(timer);
    for (const item of this.store.allWorkItems()) this.dispatcher.submit(item);
    for (const id of this.store.instancesWithMessages()) {
      this.mayHaveMessages.add(id);
      this.wake(id);
    }
  }

  /** An instance's row: from the cache, else from storage. */
  instance(instanceId: string): InstanceRow | undefined {
    const cached = this.rows.get(instanceId);
    if (cached) return cached;
    const row = this.store.getInstance(instanceId);
    if (row) this.remember(row);
    return row;
  }

  private remember(row: InstanceRow): void {
    this.rows.delete(row.instanceId);
    this.rows.set(row.instanceId, row);
    if (this.rows.size > ROW_CACHE_SIZE) this.rows.delete(this.rows.keys().next().value!);
  }

  /** Every commit goes through here: it keeps the row cache and the message bookkeeping current. */
  private commit(tx: Transaction): Promise<void> {
    const committed = this.store.commit(tx);
    for (const id of tx.purgeInstances ?? []) {
      this.rows.delete(id);
      this.mayHaveMessages.delete(id);
    }
    for (const row of tx.upsertInstances ?? []) this.remember(row);
    for (const m of tx.addMessages ?? []) this.mayHaveMessages.add(m.instanceId);
    // Every start and turn commits: a cheap place to catch a timer that came due meanwhile.
    this.timers.fireIfDue();
    return committed;
  }

  /** Commits a management transaction (starts, messages, purges), reports it, and runs the instances concerned. */
  deliver(tx: Transaction, wake: string[]): Promise<void> {
    const committed = this.commit(tx);
    if (tx.purgeInstances?.length) {
      this.emit('purged', tx.purgeInstances);
      // Again once durable: by then the commits before it are durable too and their timers and work are out.
      const drop = () => tx.purgeInstances!.forEach((id) => this.dropPurged(id));
      drop();
      committed.then(drop, () => undefined);
    }
    for (const row of tx.upsertInstances ?? []) this.emit('instance', row);
    for (const id of wake) this.wake(id);
    return committed;
  }

  wake(instanceId: string): void {
    if (this.stopped) return;
    if (this.active.has(instanceId)) {
      this.rerun.add(instanceId);
      return;
    }
    this.active.add(instanceId);
    // Work of orchestrations already running (completions, fired timers, events) goes before starting new
    // ones: under a burst of starts, a due timer is not observed late behind hundreds of first episodes.
    const running = this.instance(instanceId)?.runtimeStatus !== 'Pending';
    if (!running) this.admission.queue(instanceId);
    void this.turns.run(() => this.loop(instanceId), running);
  }

  /** Resolves once a just-started instance's first turn has begun (at most a few seconds): see turnAdmission.ts. */
  waitForFirstTurn(instanceId: string): Promise<void> {
    return this.admission.waitForTurn(instanceId);
  }

  /** The engine state held in memory for the instance's current execution, if any. */
  engineState(instanceId: string): EngineState | undefined {
    const row = this.instance(instanceId);
    return row && this.states.peek(instanceId, row.executionId);
  }

  /** Resolves with the row once the instance is finished, or undefined after `timeoutMs`. */
  waitUntilDone(instanceId: string, timeoutMs: number): Promise<InstanceRow | undefined> {
    const row = this.instance(instanceId);
    if (!row || isTerminal(row.runtimeStatus) || timeoutMs <= 0) return Promise.resolve(row && isTerminal(row.runtimeStatus) ? row : undefined);
    return this.waiters.wait(instanceId, timeoutMs);
  }

  stop(): void {
    this.stopped = true;
    this.admission.releaseAll();
    this.timers.stop();
    this.pacer.stop();
  }

  private async loop(instanceId: string): Promise<void> {
    this.admission.began(instanceId);
    try {
      do {
        this.rerun.delete(instanceId);
        await this.runTurn(instanceId);
      } while (this.rerun.has(instanceId) && !this.stopped);
    } catch (error) {
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.active.delete(instanceId);
    }
  }

  private async runTurn(instanceId: string): Promise<void> {
    const instance = this.instance(instanceId);
    if (!instance) return;
    const queued = this.mayHaveMessages.has(instanceId) ? this.store.getMessages(instanceId) : [];
    if (!queued.length) this.mayHaveMessages.delete(instanceId);
    if (!queued.length && this.pacer.hold(instanceId, this.inbox.onlyCompletions(instanceId), this.dispatcher.inFlightFor(instanceId))) {
      return;
    }
    const messages = [...queued, ...this.inbox.peek(instanceId)];
    const state = this.states.get(instance);
    const plan = planTurn(instance, state, messages, this.clock.now());
    switch (plan.kind) {
      case 'idle':
        return;
      case 'outcome':
        this.apply(plan.outcome);
        return;
      case 'rewind': {
        const history = this.store.getHistory(instanceId);
        const rewound = planRewind(instance, history, state, plan.consumed, plan.reason, this.clock.now());
        this.episodesInWorker.forget(instanceId);
        this.states.forget(instanceId);
        const kick = { instanceId, event: { ...ev.executionRewound(this.clock.now(), plan.reason), EventType: EventType.GenericEvent } };
        const children = rewound.rewindChildren.filter((id) => this.instance(id)?.runtimeStatus === 'Failed');
        this.apply(rewound.outcome, {
          replaceHistory: [{ instanceId, executionId: instance.executionId, events: rewound.history }],
          addMessages: [kick, ...children.map((id) => ({ instanceId: id, event: ev.executionRewound(this.clock.now(), plan.reason) }))],
        });
        for (const id of [instanceId, ...children]) this.wake(id);
        return;
      }
      case 'episode': {
        const began = performance.now();
        const running = { ...instance, runtimeStatus: plan.status };
        const start = startEpisode(running, state, plan.messages, this.clock.now());
        start.newEvents.splice(1, 0, ...plan.markers);
        start.consumed.push(...plan.consumed);
        const stored = this.episodesInWorker.historyLength(instance);
        const sent = performance.now();
        const result = await this.episodesInWorker.run(running, start, stored);
        if (!result) return;
        if (this.instance(instanceId)?.executionId !== instance.executionId) {
          this.episodesInWorker.forget(instanceId); // purged meanwhile: the result is dropped
          return;
        }
        const returned = performance.now();
        const outcome = finishEpisode(running, start, result, this.clock.now());
        this.apply(outcome, {}, start.newEvents.length, stored);
        this.pacer.episodeTook(instanceId, performance.now() - began);
        this.episodes.record({
          events: stored + outcome.append.length,
          hostMs: sent - began + (performance.now() - returned),
          workerMs: returned - sent,
        });
      }
    }
  }

  /** Commits an outcome and carries out its effects. `stored`: the history length before it, when known. */
  private apply(outcome: TurnOutcome, extra: Transaction = {}, seenByWorker = 0, stored?: number): Promise<void> {
    const now = this.clock.now();
    const row = outcome.instance;
    const id = row.instanceId;
    const completions = this.inbox.take(id, outcome.consumed.filter((m) => m < 0));
    const tx: Transaction = {
      ...extra,
      upsertInstances: [row],
      deleteMessages: outcome.consumed.filter((m) => m >= 0),
      addMessages: [...(extra.addMessages ?? [])],
      addTimers: outcome.timers,
      deleteTimers: [...completions.deleteTimers!, ...outcome.cancelTimers.map((timerId) => ({ instanceId: id, timerId }))],
      deleteWorkItems: completions.deleteWorkItems,
      addWorkItems: outcome.work.map((w) => ({ ...w, instanceId: id, executionId: row.executionId, createdTime: now })),
    };
    if (outcome.append.length && !extra.replaceHistory) {
      tx.appendHistory = [{ instanceId: id, executionId: row.executionId, events: outcome.append, engine: outcome.engine }];
    }
    const wake = new Set<string>();
    if (outcome.clearOutstanding) {
      tx.clearTimers = [id];
      tx.clearWorkItems = [id];
    }
    for (const child of outcome.children) {
      const existing = this.instance(child.instanceId);
      if (existing && !isTerminal(existing.runtimeStatus)) {
        const failure = ev.failure(`An orchestration with instance ID '${child.instanceId}' already exists and is ${existing.runtimeStatus}.`, 'OrchestrationAlreadyExistsException');
        tx.addMessages!.push({ instanceId: id, event: ev.subOrchestrationFailed(now, child.parent.taskScheduledId, failure) });
        wake.add(id);
        continue;
      }
      const childRow = newInstanceRow(child.instanceId, child.name, child.input, now, id);
      tx.upsertInstances!.push(childRow);
      tx.addMessages!.push({
        instanceId: child.instanceId,
        event: ev.executionStarted(now, child.name, child.input, { InstanceId: child.instanceId, ExecutionId: childRow.executionId }, child.parent),
      });
      wake.add(child.instanceId);
    }
    for (const note of outcome.notify) {
      const target = this.instance(note.instanceId);
      if (!target || target.executionId !== note.executionId || isTerminal(target.runtimeStatus)) continue;
      tx.addMessages!.push({ instanceId: note.instanceId, event: note.event });
      wake.add(note.instanceId);
    }
    if (outcome.continueAsNew) this.continueAsNew(row, outcome, tx, now);

    const committed = this.commit(tx);
    this.afterCommit(row, outcome, tx, seenByWorker, stored);
    // Write-ahead, as DTFx keeps it: what this commit scheduled leaves the host only once the commit is
    // durable (it waits on the same group-commit fsync as client acknowledgements), so a crash never
    // leaves side effects of work the store did not record.
    committed.then(
      () => this.afterDurable(row, outcome, tx, wake),
      (error: Error) => this.emit('error', error),
    );
    if (outcome.continueAsNew) this.wake(id);
    return committed;
  }

  /** The execution ends and a new one starts with the new input; queued events carry over. */
  private continueAsNew(row: InstanceRow, outcome: TurnOutcome, tx: Transaction, now: number): void {
    // The row holds the state the execution started from; a first execution learns its parent in its first episode.
    const parent = outcome.engine?.parent ?? parseEngineState(row.engineState).parent;
    const next = continuedInstanceRow(row, outcome.continueAsNew!.input, parent, now);
    tx.upsertInstances![0] = next;
    const consumed = new Set(outcome.consumed);
    const stale = this.store.getMessages(row.instanceId).filter((m) => !consumed.has(m.id) && m.event.EventType !== EventType.EventRaised);
    tx.deleteMessages!.push(...stale.map((m) => m.id));
    tx.addMessages!.push({
      instanceId: row.instanceId,
      event: ev.executionStarted(now, row.name, next.input, { InstanceId: row.instanceId, ExecutionId: next.executionId }, parent ?? null),
    });
  }

  /** Bookkeeping the instance's next turn needs at once, whether or not this commit is durable yet. */
  private afterCommit(row: InstanceRow, outcome: TurnOutcome, tx: Transaction, seenByWorker: number, stored?: number): void {
    const id = row.instanceId;
    if (outcome.clearOutstanding) this.inbox.clear(id);
    this.episodesInWorker.committed(id, outcome.append, seenByWorker);
    if (outcome.engine) this.states.committed(id, row.executionId, outcome.engine);
    if (isTerminal(row.runtimeStatus) || outcome.continueAsNew) {
      this.episodesInWorker.forget(id);
      this.states.forget(id);
      this.pacer.forget(id);
    }
    this.emit('instance', tx.upsertInstances![0]);
    const replaced = tx.replaceHistory?.[0];
    if (replaced) {
      this.emit('history', { instanceId: id, executionId: replaced.executionId, from: 0, events: replaced.events, reset: true });
    } else if (outcome.append.length) {
      const from = stored ?? this.store.historyLength(id, row.executionId) - outcome.append.length;
      this.emit('history', { instanceId: id, executionId: row.executionId, from, events: outcome.append, reset: false });
    }
  }

  /**
   * Effects that leave the host or start other instances' turns, once the commit is durable. Commits
   * become durable in order, so these run in commit order too (an arm before its cancel).
   */
  private afterDurable(row: InstanceRow, outcome: TurnOutcome, tx: Transaction, wake: Set<string>): void {
    const id = row.instanceId;
    const current = tx.upsertInstances![0];
    if (isTerminal(current.runtimeStatus)) this.waiters.finished(current);
    if (this.stopped) return;
    if (outcome.clearOutstanding) {
      this.timers.cancelInstance(id);
      this.dispatcher.cancelInstance(id);
    }
    for (const timerId of outcome.cancelTimers) this.timers.cancel(id, timerId);
    for (const timer of outcome.timers) this.timers.arm(timer);
    // The library's Task.all checks its tasks in order at every completion, up to the first one not done:
    // when the first task of a fan-out completes first, every later completion rescans all those done
    // before it, which is quadratic in each replay (0.9 of 1.1 s in the last replay of a 20,000 fan-in).
    // Queued last, the first task stays the one not done and each check stops there. Work is started in
    // no promised order, and below the concurrency limit all of it starts at once anyway.
    const work = (tx.addWorkItems ?? []) as WorkItemRow[];
    for (let i = 1; i < work.length; i++) this.dispatcher.submit(work[i]);
    if (work.length) this.dispatcher.submit(work[0]);
    for (const w of wake) this.wake(w);
  }

  /** A purged instance leaves nothing that could bring it back: timers, work in flight (its results are dropped), cached state. */
  private dropPurged(id: string): void {
    this.timers.cancelInstance(id);
    this.dispatcher.cancelInstance(id);
    this.inbox.clear(id);
    this.states.forget(id);
    this.episodesInWorker.forget(id);
    this.pacer.forget(id);
  }

  private fireTimer(instanceId: string, timerId: number, fireAt: number): void {
    this.inbox.add(instanceId, ev.timerFired(this.clock.now(), timerId, fireAt), { timerId });
    this.wake(instanceId);
  }

  private onWorkerReady(): void {
    this.episodesInWorker.clear();
    this.dispatcher.resubmitHeld();
    for (const id of new Set([...this.mayHaveMessages, ...this.inbox.instances()])) this.wake(id);
  }
}
