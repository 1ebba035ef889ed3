/**
 * From raw history events (+ the instance's detail) to the timeline model: one item per activity,
 * sub-orchestration, timer, callHttp and entity call, retries grouped into one item with their attempts,
 * markers (external events, suspend/resume, rewind, continue-as-new, termination, completion, failure),
 * episodes and suspensions. Pure: no DOM, no clock (pass `now`); unit-tested in plain Node.
 *
 * Retries are not marked in the history: a failed attempt is followed, in the same episode, by a timer
 * (the retry delay, its id taken during replay), and when that timer fires a new attempt of the same
 * function is scheduled in the same episode. That is how they are recognised here.
 */
import { ET, HTTP_ACTIVITY, decodePayload, entityReply, errorOf, eventTime, httpRequest, parseEntityId } from './history.js';
import { isTerminalStatus } from './modelTypes.js';
import type { Attempt, ErrorInfo, Episode, ItemKind, Marker, TimelineItem, TimelineModel } from './modelTypes.js';
import type { HistoryEvent, InstanceDetail, RuntimeStatus } from '../../emulator/protocol/timelineWebview.js';

export * from './modelTypes.js';

interface Slot {
  item: TimelineItem;
  attempt?: Attempt;
  retryOf?: Attempt;
}

/**
 * Builds the model of one execution's history. `now` (ms), when given, extends `lastTime` of a running
 * execution; the view draws running things up to its own clock.
 */
export function buildModel(events: readonly HistoryEvent[], instance?: InstanceDetail, now?: number): TimelineModel {
  const n = events.length;
  const items: TimelineItem[] = [];
  const markers: Marker[] = [];
  const episodes: Episode[] = [];
  const suspensions: Array<{ from: number; to: number | null }> = [];
  const eventItem = new Int32Array(n).fill(-1);
  const eventMarker = new Int32Array(n).fill(-1);
  const tasks = new Map<number, Slot>(); // TaskScheduledId → attempt (activities, http, sub-orchestrations)
  const timers = new Map<number, Slot>(); // TimerId → timer item or retry delay
  const entityRequests = new Map<string, TimelineItem>();
  const itemIndex = new Map<TimelineItem, number>();

  let start = n > 0 ? eventTime(events[0]) : Date.parse(instance?.createdTime ?? '') || 0;
  let end: number | null = null;
  let lastTime = start;
  let historyStatus: RuntimeStatus = 'Running';
  let name = instance?.name ?? '';
  let executionId = instance?.executionId ?? '';
  let input: string | null | undefined;
  let output: string | null | undefined;
  let failure: ErrorInfo | undefined;
  let parentInstanceId: string | undefined;

  // Per-episode bookkeeping for retries.
  let failedThisEpisode: Array<{ item: TimelineItem; attempt: Attempt }> = [];
  let awaitingRetry: Array<{ item: TimelineItem; attempt: Attempt }> = [];
  const unconfirmedRetries: Array<{ item: TimelineItem; attempt: Attempt; firedEpisode: number }> = [];
  const episodeScheduledOther = new Set<number>(); // episodes in which new work (not a retry attempt) was scheduled

  const addItem = (item: TimelineItem) => {
    itemIndex.set(item, items.length);
    items.push(item);
    return item;
  };
  const link = (index: number, item: TimelineItem) => {
    eventItem[index] = itemIndex.get(item)!;
    item.eventIndexes.push(index);
  };
  const addMarker = (index: number, marker: Omit<Marker, 'id' | 'eventIndex'>) => {
    eventMarker[index] = markers.length;
    markers.push({ id: `m:${index}`, eventIndex: index, ...marker });
  };
  const endEpisode = () => {
    // Retry delays that fired without a new attempt: the chain gave up (last attempt) — already recorded.
    awaitingRetry = [];
    failedThisEpisode = [];
  };

  for (let i = 0; i < n; i++) {
    const e = events[i];
    const t = eventTime(e);
    if (t > lastTime) lastTime = t;
    switch (e.EventType) {
      case ET.OrchestratorStarted: {
        endEpisode();
        episodes.push({ start: t, end: null, startIndex: i, endIndex: null });
        break;
      }
      case ET.OrchestratorCompleted: {
        const ep = episodes[episodes.length - 1];
        if (ep && ep.end === null) {
          ep.end = t;
          ep.endIndex = i;
        }
        break;
      }
      case ET.ExecutionStarted: {
        start = t;
        name = e.Name ?? name;
        input = e.Input;
        executionId = e.OrchestrationInstance?.ExecutionId ?? executionId;
        parentInstanceId = e.ParentInstance?.OrchestrationInstance?.InstanceId ?? undefined;
        break;
      }
      case ET.TaskScheduled:
      case ET.SubOrchestrationInstanceCreated: {
        const sub = e.EventType === ET.SubOrchestrationInstanceCreated;
        const kind: ItemKind = sub ? 'subOrchestration' : e.Name === HTTP_ACTIVITY ? 'http' : 'activity';
        const attemptOf = (item: TimelineItem): Attempt => ({
          number: item.attempts.length + 1,
          sequenceId: e.EventId,
          scheduled: t,
          started: null,
          ended: null,
          outcome: 'pending',
          input: e.Input,
          instanceId: sub ? e.InstanceId : undefined,
          eventIndexes: [i],
        });
        const waiting = awaitingRetry.findIndex((w) => w.item.kind === kind && w.item.name === (e.Name ?? ''));
        if (waiting >= 0) {
          const { item } = awaitingRetry.splice(waiting, 1)[0];
          const attempt = attemptOf(item);
          item.attempts.push(attempt);
          item.outcome = 'pending';
          item.ended = null;
          if (sub) item.instanceId = e.InstanceId;
          tasks.set(e.EventId, { item, attempt });
          link(i, item);
          break;
        }
        if (episodes.length) episodeScheduledOther.add(episodes.length - 1);
        const item = addItem({
          id: `${kind}:${e.EventId}`,
          kind,
          name: e.Name ?? '',
          sequenceId: e.EventId,
          scheduled: t,
          started: null,
          ended: null,
          outcome: 'pending',
          attempts: [],
          instanceId: sub ? e.InstanceId : undefined,
          eventIndexes: [],
        });
        if (kind === 'http') {
          item.http = httpRequest(e.Input);
          item.name = `${item.http.method} ${item.http.uri}`;
        }
        const attempt = attemptOf(item);
        item.attempts.push(attempt);
        tasks.set(e.EventId, { item, attempt });
        link(i, item);
        break;
      }
      case ET.TaskCompleted:
      case ET.TaskFailed:
      case ET.SubOrchestrationInstanceCompleted:
      case ET.SubOrchestrationInstanceFailed: {
        const slot = e.TaskScheduledId === undefined ? undefined : tasks.get(e.TaskScheduledId);
        if (!slot?.attempt) break;
        const { item, attempt } = slot;
        const ok = e.EventType === ET.TaskCompleted || e.EventType === ET.SubOrchestrationInstanceCompleted;
        attempt.ended = t;
        if (e.StartedTime) attempt.started = Date.parse(e.StartedTime);
        attempt.outcome = ok ? 'completed' : 'failed';
        attempt.eventIndexes.push(i);
        if (ok) attempt.result = e.Result;
        else {
          attempt.error = errorOf(e);
          failedThisEpisode.push({ item, attempt });
        }
        item.ended = t;
        item.outcome = attempt.outcome;
        if (item.http && ok) {
          const response = decodePayload(e.Result) as { statusCode?: number } | undefined;
          if (response && typeof response.statusCode === 'number') item.http.statusCode = response.statusCode;
        }
        link(i, item);
        break;
      }
      case ET.TimerCreated: {
        const fireAt = Date.parse(e.FireAt ?? '') || t;
        // A timer created in the episode that saw a failure, with an id after the failed task's: its retry delay.
        const failedIdx = failedThisEpisode.findIndex((f) => f.attempt.sequenceId < e.EventId && !f.attempt.retry);
        if (failedIdx >= 0) {
          const slot = failedThisEpisode.splice(failedIdx, 1)[0];
          slot.attempt.retry = { sequenceId: e.EventId, created: t, fireAt, fired: null, eventIndexes: [i] };
          timers.set(e.EventId, { item: slot.item, retryOf: slot.attempt });
          slot.item.outcome = 'pending';
          slot.item.ended = null;
          link(i, slot.item);
          break;
        }
        if (episodes.length) episodeScheduledOther.add(episodes.length - 1);
        const item = addItem({
          id: `timer:${e.EventId}`,
          kind: 'timer',
          name: 'Timer',
          sequenceId: e.EventId,
          scheduled: t,
          started: t,
          ended: null,
          outcome: 'pending',
          attempts: [],
          fireAt,
          delay: fireAt - (episodes.length ? episodes[episodes.length - 1].start : t),
          eventIndexes: [],
        });
        item.attempts.push({ number: 1, sequenceId: e.EventId, scheduled: t, started: t, ended: null, outcome: 'pending', eventIndexes: [i] });
        timers.set(e.EventId, { item });
        link(i, item);
        break;
      }
      case ET.TimerFired: {
        const slot = e.TimerId === undefined ? undefined : timers.get(e.TimerId);
        if (!slot) break;
        if (slot.retryOf?.retry) {
          slot.retryOf.retry.fired = t;
          slot.retryOf.retry.eventIndexes.push(i);
          // Until a new attempt is scheduled in this episode, the chain has ended with this failure.
          slot.item.outcome = 'failed';
          slot.item.ended = t;
          awaitingRetry.push({ item: slot.item, attempt: slot.retryOf });
          if (slot.item.attempts.length === 1) unconfirmedRetries.push({ item: slot.item, attempt: slot.retryOf, firedEpisode: episodes.length - 1 });
        } else {
          const attempt = slot.item.attempts[0];
          attempt.ended = t;
          attempt.outcome = 'completed';
          attempt.eventIndexes.push(i);
          slot.item.ended = t;
          slot.item.outcome = 'completed';
        }
        link(i, slot.item);
        break;
      }
      case ET.EventSent: {
        const entity = parseEntityId(e.InstanceId);
        if (entity) {
          const request = decodePayload(e.Input) as { id?: string; op?: string; signal?: boolean; isSignal?: boolean } | undefined;
          const signal = !!(request && typeof request === 'object' && (request.signal || request.isSignal));
          const operation = e.Name ?? request?.op ?? '';
          const item = addItem({
            id: `entity:${e.EventId}`,
            kind: 'entity',
            name: `${entity.name}@${entity.key} · ${operation}`,
            sequenceId: e.EventId,
            scheduled: t,
            started: null,
            ended: signal ? t : null,
            outcome: signal ? 'completed' : 'pending',
            attempts: [],
            instanceId: e.InstanceId,
            entity: { ...entity, operation, signal, requestId: request?.id },
            eventIndexes: [],
          });
          item.attempts.push({
            number: 1,
            sequenceId: e.EventId,
            scheduled: t,
            started: null,
            ended: item.ended,
            outcome: item.outcome,
            input: request && typeof request === 'object' && 'input' in request ? ((request as { input?: string }).input ?? null) : e.Input,
            eventIndexes: [i],
          });
          if (!signal && request?.id) entityRequests.set(request.id, item);
          link(i, item);
        } else {
          addMarker(i, { kind: 'eventSent', time: t, label: `${e.Name ?? 'event'} → ${e.InstanceId ?? '?'}`, payload: e.Input });
        }
        break;
      }
      case ET.EventRaised: {
        const item = e.Name ? entityRequests.get(e.Name) : undefined;
        if (item) {
          entityRequests.delete(e.Name!);
          const attempt = item.attempts[0];
          const reply = entityReply(e.Input);
          attempt.ended = t;
          attempt.outcome = reply.error ? 'failed' : 'completed';
          attempt.result = reply.result;
          attempt.error = reply.error;
          attempt.eventIndexes.push(i);
          item.ended = t;
          item.outcome = attempt.outcome;
          link(i, item);
        } else {
          addMarker(i, { kind: 'eventRaised', time: t, label: e.Name ?? 'event', payload: e.Input });
        }
        break;
      }
      case ET.ExecutionSuspended:
        suspensions.push({ from: t, to: null });
        addMarker(i, { kind: 'suspended', time: t, label: 'Suspended', payload: e.Reason ?? e.Input });
        break;
      case ET.ExecutionResumed: {
        const open = suspensions[suspensions.length - 1];
        if (open && open.to === null) open.to = t;
        addMarker(i, { kind: 'resumed', time: t, label: 'Resumed', payload: e.Reason ?? e.Input });
        break;
      }
      case ET.ExecutionRewound:
        addMarker(i, { kind: 'rewound', time: t, label: 'Rewound', payload: e.Reason ?? e.Input });
        break;
      case ET.ContinueAsNew:
        end = t;
        historyStatus = 'ContinuedAsNew';
        output = e.Result;
        addMarker(i, { kind: 'continuedAsNew', time: t, label: 'Continued as new', payload: e.Result });
        break;
      case ET.ExecutionTerminated:
        end = t;
        historyStatus = 'Terminated';
        output = e.Input ?? e.Reason;
        addMarker(i, { kind: 'terminated', time: t, label: 'Terminated', payload: e.Input ?? e.Reason });
        break;
      case ET.ExecutionCompleted:
      case ET.ExecutionFailed: {
        end = t;
        const failed = e.EventType === ET.ExecutionFailed || e.OrchestrationStatus === 'Failed' || !!e.FailureDetails;
        historyStatus = failed ? 'Failed' : 'Completed';
        if (failed) {
          failure = errorOf(e);
          addMarker(i, { kind: 'failed', time: t, label: 'Failed', payload: e.Result, error: failure });
        } else {
          output = e.Result;
          addMarker(i, { kind: 'completed', time: t, label: 'Completed', payload: e.Result });
        }
        break;
      }
      default:
        break;
    }
  }

  // A "retry delay" after a single failure that was not followed by a new attempt while the orchestrator
  // went on scheduling other work in that episode was the orchestrator's own timer (caught the error and
  // waited): give it back its own row.
  let released = false;
  for (const { item, attempt, firedEpisode } of unconfirmedRetries) {
    if (item.attempts.length !== 1 || !attempt.retry || !episodeScheduledOther.has(firedEpisode)) continue;
    released = true;
    const retry = attempt.retry;
    attempt.retry = undefined;
    item.outcome = attempt.outcome;
    item.ended = attempt.ended;
    item.eventIndexes = item.eventIndexes.filter((x) => !retry.eventIndexes.includes(x));
    const timer = addItem({
      id: `timer:${retry.sequenceId}`,
      kind: 'timer',
      name: 'Timer',
      sequenceId: retry.sequenceId,
      scheduled: retry.created,
      started: retry.created,
      ended: retry.fired,
      outcome: retry.fired === null ? 'pending' : 'completed',
      attempts: [{ number: 1, sequenceId: retry.sequenceId, scheduled: retry.created, started: retry.created, ended: retry.fired, outcome: retry.fired === null ? 'pending' : 'completed', eventIndexes: retry.eventIndexes }],
      fireAt: retry.fireAt,
      eventIndexes: [],
    });
    for (const x of retry.eventIndexes) link(x, timer);
  }

  const status: RuntimeStatus = instance?.runtimeStatus ?? (suspensions.some((s) => s.to === null) && end === null ? 'Suspended' : historyStatus);
  const terminal = end !== null || isTerminalStatus(status);
  finish(items, terminal, end ?? lastTime);
  // Rows in scheduling order, which is sequence id order (a released timer was appended last).
  const finalItems = released ? [...items].sort((a, b) => a.sequenceId - b.sequenceId) : items;

  // Pending timers are drawn up to their due time: include it in the range (not for cancelled ones).
  for (const item of finalItems) {
    if (item.kind === 'timer' && item.outcome === 'pending' && item.fireAt !== undefined && item.fireAt > lastTime) lastTime = item.fireAt;
    for (const a of item.attempts) if (a.retry && a.retry.fired === null && !terminal && a.retry.fireAt > lastTime) lastTime = a.retry.fireAt;
  }
  if (!terminal && now !== undefined && now > lastTime) lastTime = now;

  // eventItem indexes follow the final order.
  if (finalItems !== items) {
    const order = new Map<TimelineItem, number>();
    finalItems.forEach((it, k) => order.set(it, k));
    for (let i = 0; i < n; i++) if (eventItem[i] >= 0) eventItem[i] = order.get(items[eventItem[i]])!;
  }

  if (!failure && instance?.failure) failure = { type: instance.failure.type, message: instance.failure.message, details: instance.failure.stack };
  return {
    instanceId: instance?.instanceId ?? events.find((e) => e.OrchestrationInstance)?.OrchestrationInstance?.InstanceId ?? '',
    executionId,
    name,
    status,
    start,
    end,
    lastTime,
    items: finalItems,
    markers,
    episodes,
    suspensions,
    eventItem,
    eventMarker,
    eventCount: n,
    input,
    output,
    failure,
    parentInstanceId: parentInstanceId ?? instance?.parentInstanceId ?? undefined,
  };
}

/** Final outcomes (timers that never fired in an ended execution are cancelled) and row order. */
function finish(items: TimelineItem[], terminal: boolean, endTime: number): void {
  for (const item of items) {
    if (item.kind === 'timer' && item.outcome === 'pending' && terminal) {
      item.outcome = 'cancelled';
      item.attempts[0].outcome = 'cancelled';
      item.ended = Math.min(item.fireAt ?? endTime, endTime);
    }
    if (item.attempts.length > 1 || item.attempts[0]?.retry) {
      const last = item.attempts[item.attempts.length - 1];
      if (terminal && last.retry && last.retry.fired === null) {
        // The execution ended while waiting to retry.
        item.outcome = 'failed';
        item.ended = last.ended;
      }
    }
    const first = item.attempts[0];
    if (first) item.started = first.started;
  }
}

/** Index of an item by id, or -1. */
export function findItem(model: TimelineModel, id: string): number {
  for (let i = 0; i < model.items.length; i++) if (model.items[i].id === id) return i;
  return -1;
}

/** Duration of an item (to `now` while pending). */
export function itemDuration(item: TimelineItem, now: number): number {
  return (item.ended ?? now) - item.scheduled;
}
