/** The durable timer queue on a clock the test moves by hand: order, cancellation, firing at safe points. */
import { strict as assert } from 'assert';
import type { Clock } from '../../emulator/host/runtime/clock';
import { ArmedTimer, TimerQueue } from '../../emulator/host/runtime/timerQueue';

/** A clock whose alarms ring only when the test says so. */
class ManualClock implements Clock {
  time = 1000;
  alarms: Array<{ at: number; fn: () => void; cancelled: boolean }> = [];
  now(): number {
    return this.time;
  }
  at(at: number, fn: () => void): () => void {
    const alarm = { at, fn, cancelled: false };
    this.alarms.push(alarm);
    return () => void (alarm.cancelled = true);
  }
  /** Moves time without ringing anything: a busy event loop. */
  advance(ms: number): void {
    this.time += ms;
  }
  ringDue(): void {
    const due = this.alarms.filter((a) => a.at <= this.time);
    this.alarms = this.alarms.filter((a) => a.at > this.time);
    for (const alarm of due) if (!alarm.cancelled) alarm.fn();
  }
  pending(): number {
    return this.alarms.filter((a) => !a.cancelled).length;
  }
}

const timer = (instanceId: string, timerId: number, fireAt: number): ArmedTimer => ({ instanceId, timerId, fireAt });

describe('timer queue', () => {
  it('fires due timers in time order, skips cancelled ones, keeps one alarm for the earliest', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const queue = new TimerQueue(clock, (t) => fired.push(`${t.instanceId}/${t.timerId}`));
    queue.arm(timer('b', 0, 1300));
    queue.arm(timer('a', 0, 1100));
    queue.arm(timer('c', 1, 1200));
    queue.arm(timer('a', 0, 1100)); // the same timer again: armed once
    queue.cancel('c', 1);
    assert.equal(queue.size, 2);
    assert.equal(clock.pending(), 1);
    clock.advance(300);
    clock.ringDue();
    assert.deepEqual(fired, ['a/0', 'b/0']);
    assert.equal(queue.size, 0);
  });

  it('fireIfDue fires what came due while the alarm waits for its turn, and nothing early', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const queue = new TimerQueue(clock, (t) => fired.push(t.instanceId));
    queue.arm(timer('soon', 0, 1050));
    queue.arm(timer('later', 0, 2000));
    queue.fireIfDue();
    assert.deepEqual(fired, []);
    clock.advance(60); // due, but the alarm has not run yet
    queue.fireIfDue();
    assert.deepEqual(fired, ['soon']);
    clock.ringDue(); // the old alarm was cancelled: nothing fires twice
    assert.deepEqual(fired, ['soon']);
    assert.equal(clock.pending(), 1, 'one alarm, for the next timer');
    clock.advance(1000);
    clock.ringDue();
    assert.deepEqual(fired, ['soon', 'later']);
  });

  it('a timer firing from fireIfDue may lead to another fireIfDue (a turn that commits) without firing twice', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const queue: TimerQueue = new TimerQueue(clock, (t) => {
      fired.push(t.instanceId);
      queue.fireIfDue();
    });
    queue.arm(timer('a', 0, 1010));
    queue.arm(timer('b', 0, 1020));
    clock.advance(50);
    queue.fireIfDue();
    assert.deepEqual(fired, ['a', 'b']);
  });
});
