/**
 * The webview message contract (emulator/protocol/timelineWebview.ts): recorded fixtures are init messages as they
 * are, and parseFromWebview accepts exactly the messages the page may post.
 */
import * as assert from 'node:assert/strict';
import { INSTANCE_COMMANDS, parseFromWebview } from '../../emulator/protocol/timelineWebview';
import type { InitMessage } from '../../emulator/protocol/timelineWebview';
import { loadFixture } from './support/fixtures';

describe('timeline message contract', () => {
  it('fixtures recorded from the control protocol are init messages as they are', () => {
    const f = loadFixture('retry');
    const init: InitMessage = { type: 'init', instance: f.instance, history: f.history };
    assert.equal(init.history.events.length, init.history.total);
  });

  it('parseFromWebview accepts the page messages and rejects malformed ones', () => {
    const good = [
      { type: 'ready' },
      { type: 'ready', state: { version: 1, instanceId: 'a' } },
      { type: 'requestHistory', instanceId: 'a', from: 0, limit: 5000 },
      { type: 'requestHistory', instanceId: 'a', executionId: 'e', from: 10, limit: 10 },
      ...INSTANCE_COMMANDS.map((name) => ({ type: 'command', name, instanceId: 'a' })),
      { type: 'openInstance', instanceId: 'child', fromInstanceId: 'a', via: 'child' },
      { type: 'openInstance', instanceId: 'a', via: 'back' },
      { type: 'exportHistory', instanceId: 'a', executionId: 'e' },
      { type: 'copy', text: '', what: 'input' },
      { type: 'error', message: 'x' },
    ];
    for (const m of good) assert.deepEqual(parseFromWebview(m), m, JSON.stringify(m));
    const bad = [
      null,
      'ready',
      { type: 'nope' },
      { type: 'requestHistory', instanceId: 'a', from: -1, limit: 10 },
      { type: 'requestHistory', instanceId: '', from: 0, limit: 10 },
      { type: 'command', name: 'explode', instanceId: 'a' },
      { type: 'command', name: 'purge' },
      { type: 'openInstance', instanceId: 'a', via: 'sideways' },
      { type: 'exportHistory', instanceId: 'a' },
      { type: 'copy', text: 42 },
    ];
    for (const m of bad) assert.equal(parseFromWebview(m), undefined, JSON.stringify(m));
  });
});
