/**
 * Push coalescing of one control connection, without a process: the per-push cap and its backlog,
 * history merging and resets, and back-pressure (a client that reads too slowly is told to resync).
 */
import * as assert from 'node:assert/strict';
import type { WebSocket } from 'ws';
import { Connection, ConnectionHost } from '../../emulator/host/control/connection';
import type { MethodContext } from '../../emulator/host/control/methods';
import type { InstanceRow, Store } from '../../emulator/host/storage/store';
import type { HostMessage, InstanceSummary, LogEntry, PushMessage } from '../../emulator/protocol/control';
import { EventType, HistoryEvent } from '../../emulator/protocol/durable';
import { instanceSummary } from '../support/instanceSummary';

class FakeSocket {
  readyState = 1; // OPEN
  bufferedAmount = 0;
  readonly sent: HostMessage[] = [];
  send(data: string): void {
    this.sent.push(JSON.parse(data) as HostMessage);
  }
  take(): HostMessage[] {
    return this.sent.splice(0);
  }
}

function events(n: number, start = 0): HistoryEvent[] {
  return Array.from({ length: n }, (_, i) => ({ EventType: EventType.GenericEvent, EventId: start + i, Timestamp: '2024-01-01T00:00:00Z', IsPlayed: false }));
}

const map = (list: InstanceSummary[]) => new Map(list.map((s) => [s.instanceId, s]));

describe('control pushes (one connection, no process)', () => {
  let socket: FakeSocket;
  let conn: Connection;
  const rows = new Map<string, { executionId: string; length: number }>();

  beforeEach(async () => {
    rows.clear();
    socket = new FakeSocket();
    const store = {
      getInstance: (id: string) => (rows.has(id) ? ({ instanceId: id, executionId: rows.get(id)!.executionId } as InstanceRow) : undefined),
      historyLength: (id: string) => rows.get(id)?.length ?? 0,
    } as unknown as Store;
    const host: ConnectionHost = {
      limits: { maxMessageBytes: 1024 * 1024, maxChangesPerPush: 1000, highWaterBytes: 4 * 1024 * 1024, lowWaterBytes: 1024 * 1024 },
      store,
      methods: {} as MethodContext,
      subscriptionsChanged: () => undefined,
      logError: (message) => assert.fail(message),
    };
    conn = new Connection(socket as unknown as WebSocket, host);
    rows.set('h1', { executionId: 'e1', length: 0 });
    await conn.onMessage(Buffer.from(JSON.stringify({ type: 'request', id: 1, method: 'subscribe', params: { topics: ['instances', 'history', 'logs'], instanceIds: ['h1'] } })), false);
    assert.deepEqual(socket.take(), [{ type: 'response', id: 1, ok: true, result: { ok: true } }]);
  });

  const pushes = (topic: PushMessage['topic']) => socket.take().filter((m): m is PushMessage => m.type === 'push' && m.topic === topic);

  it('caps a push at 1,000 changes and carries the rest, latest state first come first served', () => {
    const first = Array.from({ length: 2500 }, (_, i) => instanceSummary(`i${i}`));
    assert.equal(conn.flush(map(first), [], []), true, 'more to send');
    let [push] = pushes('instances') as Array<Extract<PushMessage, { topic: 'instances' }>>;
    assert.equal(push.changed.length, 1000);
    assert.equal(push.changed[0].instanceId, 'i0');
    // Meanwhile i1500 completes and i2000 is purged: the backlog keeps one entry per instance.
    assert.equal(conn.flush(map([instanceSummary('i1500', 'Completed')]), ['i2000'], []), true);
    [push] = pushes('instances') as Array<Extract<PushMessage, { topic: 'instances' }>>;
    assert.equal(push.changed.length + push.removed.length, 1000);
    assert.equal(push.changed.find((s) => s.instanceId === 'i1500')?.runtimeStatus, 'Completed');
    assert.deepEqual(push.removed, []);
    assert.equal(conn.flush(new Map(), [], []), false, 'the backlog is empty after this one');
    [push] = pushes('instances') as Array<Extract<PushMessage, { topic: 'instances' }>>;
    assert.equal(push.changed.length, 499);
    assert.deepEqual(push.removed, ['i2000']);
    assert.ok(!push.changed.some((s) => s.instanceId === 'i2000'));
    assert.equal(conn.flush(new Map(), [], []), false);
    assert.deepEqual(socket.take(), [], 'nothing to push, nothing sent');
  });

  it('merges consecutive history appends; a new execution or a rewrite is a reset', () => {
    conn.addHistory({ instanceId: 'h1', executionId: 'e1', from: 0, events: events(3), reset: false });
    conn.addHistory({ instanceId: 'h1', executionId: 'e1', from: 3, events: events(2, 3), reset: false });
    conn.addHistory({ instanceId: 'h1', executionId: 'e1', from: 5, events: events(1, 5), reset: false });
    conn.flush(new Map(), [], []);
    let history = pushes('history') as Array<Extract<PushMessage, { topic: 'history' }>>;
    assert.equal(history.length, 1);
    assert.equal(history[0].from, 0);
    assert.deepEqual(history[0].events.map((e) => e.EventId), [0, 1, 2, 3, 4, 5]);
    assert.equal(history[0].reset, false);

    // The old execution's last events, then the new one's first (continue-as-new): two pushes in order.
    conn.addHistory({ instanceId: 'h1', executionId: 'e1', from: 6, events: events(2, 6), reset: false });
    conn.addHistory({ instanceId: 'h1', executionId: 'e2', from: 0, events: events(2), reset: false });
    conn.addHistory({ instanceId: 'h1', executionId: 'e2', from: 2, events: events(1, 2), reset: false });
    conn.flush(new Map(), [], []);
    history = pushes('history') as Array<Extract<PushMessage, { topic: 'history' }>>;
    assert.deepEqual(
      history.map((h) => [h.executionId, h.from, h.events.length, h.reset]),
      [
        ['e1', 6, 2, false],
        ['e2', 0, 3, true],
      ],
    );

    // A rewrite (rewind) supersedes what was waiting.
    conn.addHistory({ instanceId: 'h1', executionId: 'e2', from: 3, events: events(1, 3), reset: false });
    conn.addHistory({ instanceId: 'h1', executionId: 'e2', from: 0, events: events(4), reset: true });
    conn.addHistory({ instanceId: 'h1', executionId: 'e2', from: 4, events: events(1, 4), reset: false });
    conn.flush(new Map(), [], []);
    history = pushes('history') as Array<Extract<PushMessage, { topic: 'history' }>>;
    assert.deepEqual(history.map((h) => [h.executionId, h.from, h.events.length, h.reset]), [['e2', 0, 5, true]]);
  });

  it('does not push the history of instances it does not watch', () => {
    assert.equal(conn.watches('h1'), true);
    assert.equal(conn.watches('other'), false);
  });

  it('back-pressure: drops pushes while the send buffer is full, then tells the client to resync', () => {
    const log: LogEntry = { time: '2024-01-01T00:00:00.000Z', level: 'information', source: 'host', message: 'x' };
    socket.bufferedAmount = 5 * 1024 * 1024;
    conn.addHistory({ instanceId: 'h1', executionId: 'e1', from: 0, events: events(2), reset: false });
    assert.equal(conn.flush(map([instanceSummary('a'), instanceSummary('b')]), ['c'], [log]), true, 'keep checking until it drains');
    assert.deepEqual(socket.take(), [], 'nothing queued on a full socket');
    conn.addHistory({ instanceId: 'h1', executionId: 'e1', from: 2, events: events(2, 2), reset: false });
    socket.bufferedAmount = 2 * 1024 * 1024; // draining, still above the low-water mark
    assert.equal(conn.flush(map([instanceSummary('d')]), [], [log, log]), true);
    assert.deepEqual(socket.take(), []);

    socket.bufferedAmount = 0;
    rows.set('h1', { executionId: 'e1', length: 4 });
    assert.equal(conn.flush(map([instanceSummary('e')]), [], [log]), false);
    const sent = socket.take() as PushMessage[];
    const instances = sent.filter((m) => m.topic === 'instances') as Array<Extract<PushMessage, { topic: 'instances' }>>;
    assert.equal(instances[0].dropped, 4, 'one summary of what was dropped (a, b, c, d)');
    assert.deepEqual(instances[0].changed, []);
    assert.deepEqual(instances[1].changed.map((s) => s.instanceId), ['e'], 'then pushes resume');
    assert.equal(instances[1].dropped, undefined);
    const history = sent.filter((m) => m.topic === 'history') as Array<Extract<PushMessage, { topic: 'history' }>>;
    assert.deepEqual(history.map((h) => [h.executionId, h.from, h.events.length, h.reset]), [['e1', 4, 0, false]], 'where the history stands now');
    const logs = sent.filter((m) => m.topic === 'logs') as Array<Extract<PushMessage, { topic: 'logs' }>>;
    assert.match(logs[0].entries[0].message, /3 log entries were not sent/);
    assert.deepEqual(logs[1].entries, [log]);

    // Appends after the catch-up continue from there.
    conn.addHistory({ instanceId: 'h1', executionId: 'e1', from: 4, events: events(1, 4), reset: false });
    conn.flush(new Map(), [], []);
    const next = pushes('history') as Array<Extract<PushMessage, { topic: 'history' }>>;
    assert.deepEqual(next.map((h) => [h.from, h.events.length, h.reset]), [[4, 1, false]]);
  });

  it('back-pressure across a new execution: the catch-up push is a reset', () => {
    socket.bufferedAmount = 5 * 1024 * 1024;
    conn.flush(new Map(), [], []);
    conn.addHistory({ instanceId: 'h1', executionId: 'e2', from: 0, events: events(3), reset: false });
    socket.bufferedAmount = 0;
    rows.set('h1', { executionId: 'e2', length: 3 });
    conn.flush(new Map(), [], []);
    const history = pushes('history') as Array<Extract<PushMessage, { topic: 'history' }>>;
    assert.deepEqual(history.map((h) => [h.executionId, h.from, h.events.length, h.reset]), [['e2', 3, 0, true]]);
  });

  it('a closed socket gets nothing', () => {
    socket.readyState = 3;
    assert.equal(conn.flush(map([instanceSummary('a')]), [], []), false);
    assert.deepEqual(socket.take(), []);
  });
});
