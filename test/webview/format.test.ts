/** Pure helpers of the webview: formatting and the time scale (plain Node). */
import * as assert from 'node:assert/strict';
import { errorWithStack, formatDuration, formatOffset, prettyPayload, prettyValue } from '../../media/timeline/format';
import { buildModel } from '../../media/timeline/model';
import { clampZoom, fitScale, lowerBound, MAX_CONTENT_PX, TimeScale } from '../../media/timeline/scale';
import { loadFixture } from './support/fixtures';

describe('timeline formatting and scale', () => {
  it('durations and offsets', () => {
    assert.equal(formatDuration(12.4), '12 ms');
    assert.equal(formatDuration(1250), '1.25 s');
    assert.equal(formatDuration(42_000), '42.0 s');
    assert.equal(formatDuration(123_000), '2 min 03 s');
    assert.equal(formatDuration(3_780_000), '1 h 03 min');
    assert.equal(formatDuration(90_000_000), '1 d 1 h');
    assert.equal(formatOffset(0), '0');
    assert.equal(formatOffset(50, 50), '+50 ms');
    assert.equal(formatOffset(1500, 500), '+1.5 s');
    assert.equal(formatOffset(30_000, 15_000), '+30 s');
    assert.equal(formatOffset(90_000, 30_000), '+1:30');
    assert.equal(formatOffset(120_000, 60_000), '+2 min');
  });

  it('payloads: pretty JSON, double-encoded JSON decoded, text as is; errors without repeating themselves', () => {
    assert.equal(prettyPayload('{"a":1}'), '{\n  "a": 1\n}');
    assert.equal(prettyPayload('"Tokyo"'), '"Tokyo"');
    assert.equal(prettyPayload(JSON.stringify('{"x":[1]}')), '{\n  "x": [\n    1\n  ]\n}');
    assert.equal(prettyPayload('not json'), 'not json');
    assert.equal(prettyPayload(null), '');
    assert.equal(prettyValue({ b: true }), '{\n  "b": true\n}');
    assert.equal(errorWithStack('Error', 'Error: boom', 'Error: boom\n    at x'), 'Error: boom\n    at x');
    assert.equal(errorWithStack('TypeError', 'bad', 'at y'), 'TypeError: bad\n\nat y');
  });

  it('scale: fit, clamping, ticks at nice steps, binary search', () => {
    const s = new TimeScale(1000, 0.5);
    assert.equal(s.x(1200), 100);
    assert.equal(s.time(100), 1200);
    assert.equal(s.step(90), 200);
    assert.deepEqual(s.ticks(0, 450).offsets, [0, 200, 400, 600, 800]);
    const fit = fitScale(10_000, 1000);
    assert.equal(fit, 0.1);
    assert.equal(clampZoom(0.01, fit, 10_000), fit, 'never out past fit');
    assert.equal(clampZoom(1e6, fit, 10_000), 40, 'at most 40 px per ms');
    assert.equal(clampZoom(1e6, 1e-5, 86_400_000), MAX_CONTENT_PX / 86_400_000, 'content width bounded');
    const xs = [1, 3, 3, 7];
    assert.deepEqual([0, 1, 3, 4, 8].map((v) => lowerBound(xs, v, (x) => x)), [0, 0, 1, 3, 4]);
  });

  it('StartedTime on a completion, when the host records it, gives the running start', () => {
    const f = loadFixture('sequence');
    const events = f.history.events.map((e) => (e.EventType === 5 && e.TaskScheduledId === 0 ? { ...e, StartedTime: new Date(Date.parse(e.Timestamp) - 3).toISOString() } : e));
    const m = buildModel(events as never, f.instance as never);
    assert.equal(m.items[0].attempts[0].started, Date.parse(events[5].Timestamp) - 3);
    assert.equal(m.items[0].started, m.items[0].attempts[0].started);
    assert.equal(m.items[1].started, null);
  });
});
