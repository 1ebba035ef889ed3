/**
 * The timeline model (media/timeline/model.ts) against real histories recorded from the emulator
 * (test/webview/fixtures, see tools/captureFixtures.ts) and generated ones. Plain Node: the model has no DOM.
 */
import * as assert from 'node:assert/strict';
import { buildModel, findItem, itemDuration } from '../../media/timeline/model';
import type { TimelineModel } from '../../media/timeline/model';
import { eventIds, eventName, eventTypeName, preview, rawPayload } from '../../media/timeline/history';
import { loadFixture } from './support/fixtures';
import { entityFixture, generateHistory } from './support/generate';

function model(name: string): TimelineModel {
  const f = loadFixture(name);
  return buildModel(f.history.events as never, f.instance as never);
}

const summary = (m: TimelineModel) => m.items.map((i) => `${i.kind}:${i.name}:${i.outcome}:${i.attempts.length}`);

describe('timeline model', () => {
  it('a sequence: three activities in order, each with input and result', () => {
    const m = model('sequence');
    assert.equal(m.name, 'HelloSequence');
    assert.equal(m.status, 'Completed');
    assert.deepEqual(summary(m), ['activity:SayHello:completed:1', 'activity:SayHello:completed:1', 'activity:SayHello:completed:1']);
    assert.deepEqual(m.items.map((i) => i.attempts[0].input), ['"Tokyo"', '"Seattle"', '"London"']);
    assert.deepEqual(m.items.map((i) => i.attempts[0].result), ['"Hello Tokyo!"', '"Hello Seattle!"', '"Hello London!"']);
    for (let k = 1; k < 3; k++) assert.ok(m.items[k].scheduled >= m.items[k - 1].ended!, 'each starts after the previous one ended');
    assert.ok(m.end! >= m.items[2].ended!);
    assert.equal(m.episodes.length, 4);
    assert.ok(m.episodes.every((e) => e.end !== null && e.end >= e.start));
    assert.deepEqual(m.markers.map((x) => x.kind), ['completed']);
    assert.equal(m.output, '["Hello Tokyo!","Hello Seattle!","Hello London!"]');
    // Every scheduled/completed event belongs to its item.
    const f = loadFixture('sequence');
    f.history.events.forEach((e, i) => {
      if (e.EventType === 4 || e.EventType === 5) assert.ok(m.eventItem[i] >= 0, `event ${i} linked`);
      if (e.EventType === 12 || e.EventType === 13) assert.equal(m.eventItem[i], -1);
    });
  });

  it('a fan-out: 20 parallel activities scheduled in one episode', () => {
    const m = model('fanout');
    assert.equal(m.items.length, 20);
    assert.ok(m.items.every((i) => i.kind === 'activity' && i.name === 'Echo' && i.outcome === 'completed'));
    assert.equal(new Set(m.items.map((i) => i.scheduled)).size, 1, 'all scheduled at once');
    assert.deepEqual(m.items.map((i) => i.sequenceId), [...Array(20).keys()]);
    assert.equal(m.output, '190');
  });

  it('a timer/event race won by the event: the event is a marker and the timer is cancelled', () => {
    const m = model('race');
    assert.deepEqual(summary(m), ['timer:Timer:cancelled:1']);
    const timer = m.items[0];
    assert.ok(timer.fireAt! > m.end!, 'it was due after the end');
    assert.equal(timer.ended, m.end, 'drawn up to the end of the execution');
    const go = m.markers.find((x) => x.kind === 'eventRaised')!;
    assert.equal(go.label, 'Go');
    assert.equal(go.payload, '{"approved":true,"by":"alice"}');
    assert.ok(m.lastTime <= m.end!, 'the cancelled timer does not stretch the range');
  });

  it('a timer/event race won by the timer: the timer completes', () => {
    const m = model('race-timeout');
    assert.deepEqual(summary(m), ['timer:Timer:completed:1']);
    assert.ok(m.items[0].ended! >= m.items[0].fireAt!);
  });

  it('a retry chain: one row with three attempts and the two retry delays', () => {
    const m = model('retry');
    assert.deepEqual(summary(m), ['activity:FailTimes:completed:3']);
    const item = m.items[0];
    assert.deepEqual(item.attempts.map((a) => a.outcome), ['failed', 'failed', 'completed']);
    assert.deepEqual(item.attempts.map((a) => a.sequenceId), [0, 2, 4]);
    assert.deepEqual(item.attempts.map((a) => a.retry?.sequenceId), [1, 3, undefined]);
    assert.equal(item.attempts[0].error!.message, 'attempt 1 failed');
    assert.match(item.attempts[0].error!.details!, /at handler/);
    assert.ok(item.attempts[0].retry!.fired! >= item.attempts[0].retry!.fireAt);
    assert.equal(item.attempts[2].result, '"ok after 3"');
    assert.equal(item.scheduled, item.attempts[0].scheduled);
    assert.equal(item.ended, item.attempts[2].ended);
    // All 10 of its events (3 scheduled, 2 failed, 2 timers x2, 1 completed) map to it.
    assert.equal(item.eventIndexes.length, 10);
    assert.ok(item.eventIndexes.every((i) => m.eventItem[i] === 0));
  });

  it('an exhausted retry chain: three failed attempts, the last delay, the instance fails', () => {
    const m = model('retry-exhausted');
    assert.deepEqual(summary(m), ['activity:FailTimes:failed:3']);
    const item = m.items[0];
    assert.deepEqual(item.attempts.map((a) => a.outcome), ['failed', 'failed', 'failed']);
    assert.equal(item.attempts[2].retry?.sequenceId, 5, 'the SDK awaits one more timer after the last failure');
    assert.equal(m.status, 'Failed');
    assert.equal(m.failure!.message, 'Error: attempt 3 failed');
    assert.deepEqual(m.markers.map((x) => x.kind), ['failed']);
  });

  it('a failure: the failed activity and the failure details of the instance', () => {
    const m = model('failure');
    assert.deepEqual(summary(m), ['activity:AlwaysFail:failed:1']);
    assert.equal(m.items[0].attempts[0].error!.message, 'boom');
    assert.equal(m.failure!.type, 'Error');
    assert.equal(m.failure!.message, 'Error: boom');
    assert.match(m.failure!.details!, /activities\.js/);
    assert.equal(m.markers.at(-1)!.kind, 'failed');
  });

  it('sub-orchestrations: one bar each with the child instance id', () => {
    const m = model('suborchestration');
    assert.deepEqual(summary(m), ['subOrchestration:HelloSequence:completed:1', 'subOrchestration:ChildWithId:completed:1']);
    assert.deepEqual(m.items.map((i) => i.instanceId), ['parent-1:0', 'child-parent-1']);
    assert.equal(m.items[1].attempts[0].input, '21');
    assert.equal(m.items[1].attempts[0].result, '42');
    const failed = model('suborchestration-failed');
    assert.deepEqual(summary(failed), ['subOrchestration:FailingChild:failed:1']);
    assert.match(failed.items[0].attempts[0].error!.message, /child failed on purpose/);
    const child = loadFixture('suborchestration').children!['child-parent-1'];
    const cm = buildModel(child.history.events as never, child.instance as never);
    assert.equal(cm.parentInstanceId, 'parent-1');
  });

  it('callHttp: an http item named by method and URL with the status code', () => {
    const m = model('callhttp');
    assert.equal(m.items.length, 1);
    const item = m.items[0];
    assert.equal(item.kind, 'http');
    assert.equal(item.http!.method, 'GET');
    assert.match(item.name, /^GET http:\/\/127\.0\.0\.1:\d+\/api\/hello\/timeline$/);
    assert.equal(item.http!.statusCode, 200);
  });

  it('entity calls: call, signal and a failed call', () => {
    const f = entityFixture();
    const m = buildModel(f.history.events as never, f.instance as never);
    assert.deepEqual(summary(m), ['entity:counter@c1 · add:completed:1', 'entity:counter@c1 · reset:completed:1', 'entity:counter@c1 · divide:failed:1']);
    assert.equal(m.items[0].attempts[0].result, '15');
    assert.equal(m.items[0].attempts[0].input, '5');
    assert.equal(m.items[1].entity!.signal, true);
    assert.equal(m.items[1].ended, m.items[1].scheduled);
    assert.equal(m.items[2].attempts[0].error!.type, 'RangeError');
    assert.deepEqual(m.markers.map((x) => x.kind), ['completed'], 'entity replies are not external-event markers');
  });

  it('suspend, resume and terminate: markers and a suspension interval', () => {
    const m = model('terminated');
    assert.deepEqual(m.markers.map((x) => x.kind), ['suspended', 'resumed', 'terminated']);
    assert.equal(m.markers[0].payload, 'lunch');
    assert.equal(m.markers[2].payload, '"no longer needed"');
    assert.equal(m.suspensions.length, 1);
    assert.ok(m.suspensions[0].to! > m.suspensions[0].from);
    assert.equal(m.status, 'Terminated');
    assert.ok(m.end !== null);
  });

  it('continue-as-new: a marker that ends the execution; its pending timer is cancelled', () => {
    const m = model('continue-as-new-first');
    assert.deepEqual(m.markers.map((x) => x.kind), ['continuedAsNew']);
    assert.equal(m.markers[0].payload, '1');
    assert.deepEqual(summary(m), ['timer:Timer:cancelled:1', 'activity:Echo:completed:1']);
    assert.ok(m.end !== null);
  });

  it('a running instance: pending items, no end, lastTime follows now', () => {
    const f = loadFixture('sequence');
    const events = f.history.events.slice(0, 8); // the second SayHello scheduled, its completion not yet in
    const now = Date.parse(events[7].Timestamp) + 5000;
    const m = buildModel(events as never, { ...f.instance, runtimeStatus: 'Running', completedTime: null } as never, now);
    assert.equal(m.end, null);
    assert.equal(m.status, 'Running');
    assert.equal(m.items.length, 2);
    assert.deepEqual(m.items.map((i) => i.outcome), ['completed', 'pending']);
    assert.equal(m.lastTime, now);
    assert.equal(itemDuration(m.items[1], now), now - m.items[1].scheduled);
  });

  it('a pending timer in a running instance extends the range to its due time', () => {
    const f = loadFixture('race');
    const events = f.history.events.slice(0, 4);
    const m = buildModel(events as never, { ...f.instance, runtimeStatus: 'Running' } as never);
    assert.equal(m.items[0].outcome, 'pending');
    assert.equal(m.lastTime, m.items[0].fireAt);
  });

  it('a retry waiting for its delay is pending, and appending events keeps item ids', () => {
    const f = loadFixture('retry');
    const cut = f.history.events.findIndex((e) => e.EventType === 11); // before the first retry timer fires
    const before = buildModel(f.history.events.slice(0, cut) as never, { ...f.instance, runtimeStatus: 'Running' } as never);
    assert.equal(before.items[0].outcome, 'pending');
    assert.equal(before.items[0].attempts.length, 1);
    assert.ok(before.items[0].attempts[0].retry);
    const after = buildModel(f.history.events as never, f.instance as never);
    assert.equal(findItem(after, before.items[0].id), 0);
  });

  it('a timer the orchestrator starts after catching a failure is its own row, not a retry', () => {
    const t = (ms: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + ms).toISOString();
    const e = (ms: number, x: object) => ({ EventId: -1, IsPlayed: false, Timestamp: t(ms), ...x });
    const events = [
      e(0, { EventType: 12 }), e(0, { EventType: 0, Name: 'Catcher', Input: null }),
      e(1, { EventType: 4, EventId: 0, Name: 'AlwaysFail' }), e(1, { EventType: 13 }),
      e(5, { EventType: 12 }), e(4, { EventType: 6, TaskScheduledId: 0, Reason: 'boom' }),
      e(5, { EventType: 10, EventId: 1, FireAt: t(1000) }), e(5, { EventType: 13 }),
      e(1001, { EventType: 12 }), e(1001, { EventType: 11, TimerId: 1, FireAt: t(1000) }),
      e(1001, { EventType: 4, EventId: 2, Name: 'Fallback' }), e(1001, { EventType: 13 }),
      e(1010, { EventType: 12 }), e(1009, { EventType: 5, TaskScheduledId: 2, Result: '"ok"' }),
      e(1010, { EventType: 1, OrchestrationStatus: 'Completed', Result: '"ok"' }), e(1010, { EventType: 13 }),
    ];
    const m = buildModel(events as never);
    assert.deepEqual(summary(m), ['activity:AlwaysFail:failed:1', 'timer:Timer:completed:1', 'activity:Fallback:completed:1']);
    assert.equal(m.items[0].attempts[0].retry, undefined);
    assert.equal(m.eventItem[6], 1);
  });

  it('10,000 generated events: every scheduled task is a row, quickly', () => {
    const f = generateHistory({ events: 10000, seed: 7 });
    assert.equal(f.history.events.length, 10000);
    const t0 = performance.now();
    const m = buildModel(f.history.events as never, f.instance as never);
    const ms = performance.now() - t0;
    const scheduled = f.history.events.filter((e) => [4, 7, 10, 14].includes(e.EventType)).length;
    const retryEvents = m.items.reduce((n, i) => n + i.attempts.length - 1 + i.attempts.filter((a) => a.retry).length, 0);
    assert.equal(m.items.length, scheduled - retryEvents, 'one row per task, retries folded');
    assert.ok(m.items.some((i) => i.attempts.length > 1), 'has retry groups');
    assert.ok(m.items.every((i) => i.outcome !== 'pending'), 'all done');
    assert.equal(m.status, 'Completed');
    console.log(`      buildModel(10,000 events): ${ms.toFixed(1)} ms, ${m.items.length} items, ${m.markers.length} markers`);
  });

  it('history helpers: names, ids, payload previews', () => {
    const f = loadFixture('retry');
    const failed = f.history.events.find((e) => e.EventType === 6)!;
    assert.equal(eventTypeName(6), 'TaskFailed');
    assert.equal(eventTypeName(99), 'EventType 99');
    assert.equal(eventIds(failed as never), 'task 0');
    assert.equal(rawPayload(failed as never), 'Error: attempt 1 failed');
    const scheduled = f.history.events.find((e) => e.EventType === 4)!;
    assert.equal(eventName(scheduled as never), 'FailTimes');
    assert.equal(eventIds(scheduled as never), 'id 0');
    assert.equal(preview('a\n  b', 10), 'a b');
    assert.equal(preview('x'.repeat(50), 10), `${'x'.repeat(9)}…`);
  });
});
