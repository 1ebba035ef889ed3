/** The worker's check of replayed actions against those the host recorded, and the cache that holds them. */
import * as assert from 'node:assert/strict';
import { ActionType, EventType, type OrchestratorAction } from '../../emulator/protocol/durable';
import { describeAction, describes } from '../../emulator/protocol/actions';
import type { OrchestratorInvocation } from '../../emulator/protocol/worker';
import { HistoryCache } from '../../emulator/worker/historyCache';
import { againstRecorded } from '../../emulator/worker/recordedActions';

const activity = (name: string): OrchestratorAction => ({ actionType: ActionType.CallActivity, functionName: name });
const timer = (isCanceled: boolean): OrchestratorAction => ({ actionType: ActionType.CreateTimer, fireAt: '2030-01-01T00:00:00.000Z', isCanceled });

describe('recorded actions (worker side of the non-determinism check)', () => {
  it('describes matches describeAction exactly', () => {
    const actions = [activity('A'), timer(false), { actionType: ActionType.WaitForExternalEvent, externalEventName: 'Go' }, activity('')];
    for (const a of actions) for (const b of actions) assert.equal(describes(describeAction(a), b), describeAction(a) === describeAction(b));
    assert.equal(describes('CallActivity:AB', activity('A')), false);
    assert.equal(describes('CallActivityXA', activity('A')), false);
  });

  it('returns the actions past the recorded ones, and the recorded timers found cancelled', () => {
    const result = againstRecorded({ isDone: false, actions: [activity('A'), timer(true), activity('B'), activity('C')] }, ['CallActivity:A', 'CreateTimer']);
    assert.deepEqual(result.actions, [activity('B'), activity('C')]);
    assert.equal(result.actionsFrom, 2);
    assert.deepEqual(result.canceledTimers, [1]);
    assert.equal(result.mismatch, undefined);
  });

  it('names the first recorded action that replay contradicts', () => {
    const result = againstRecorded({ isDone: false, actions: [activity('A'), activity('X'), activity('C')] }, ['CallActivity:A', 'CallActivity:B', 'CallActivity:C']);
    assert.deepEqual(result.mismatch, { index: 1, replayed: 'CallActivity:X' });
    assert.deepEqual(result.actions, []);
  });

  it('caches the recorded actions beside the history and misses when the host assumed other counts', () => {
    const cache = new HistoryCache();
    const event = { EventType: EventType.OrchestratorStarted, EventId: -1, Timestamp: '', IsPlayed: false };
    const invocation = (historyBase: number, recordedBase: number, recorded: string[]): OrchestratorInvocation => ({
      kind: 'orchestrator', invocationId: 'v', functionName: 'F', instanceId: 'i', executionId: 'e', parentInstanceId: null, historyBase, history: [event], recordedBase, recorded,
    });
    assert.deepEqual(cache.assemble(invocation(0, 0, ['a']))?.recorded, ['a']);
    assert.deepEqual(cache.assemble(invocation(1, 1, ['b']))?.recorded, ['a', 'b']);
    assert.equal(cache.assemble(invocation(2, 1, ['c'])), undefined, 'the worker has 2 recorded actions, not 1');
  });
});
