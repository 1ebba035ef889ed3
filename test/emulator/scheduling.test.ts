/** How the host and the worker schedule their work: channel messages a chunk at a time, prioritised turns, admitted starts. */
import { strict as assert } from 'assert';
import { Semaphore } from '../../emulator/host/runtime/semaphore';
import { TurnAdmission } from '../../emulator/host/runtime/turnAdmission';
import { MessageQueue } from '../../emulator/shared/messageQueue';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('scheduling: channel messages a chunk at a time', () => {
  it('handles the first chunk at once and the rest in later turns, in order across pushes', async () => {
    const handled: number[] = [];
    const queue = new MessageQueue<number>((n) => handled.push(n), 3);
    queue.push([1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(handled, [1, 2, 3]);
    queue.push([8]); // behind what is queued, not handled ahead of it
    assert.deepEqual(handled, [1, 2, 3]);
    await nextTurn();
    assert.deepEqual(handled, [1, 2, 3, 4, 5, 6]);
    await nextTurn();
    assert.deepEqual(handled, [1, 2, 3, 4, 5, 6, 7, 8]);
    queue.push([9]);
    assert.deepEqual(handled.at(-1), 9, 'an idle queue handles a message at once');
  });

  it('lets a due timer run between chunks', async () => {
    const order: string[] = [];
    const queue = new MessageQueue<number>((n) => order.push(`m${n}`), 2);
    const timer = new Promise<void>((resolve) => setTimeout(() => resolve(void order.push('timer')), 0));
    await new Promise((resolve) => setTimeout(resolve, 5)); // the timer is due now
    queue.push([1, 2, 3, 4, 5, 6]);
    await timer;
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(order.indexOf('timer') < order.indexOf('m6'), order.join(' '));
    assert.deepEqual(order.filter((o) => o !== 'timer'), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  });

  it('drain handles everything queued now, and a throwing handler does not strand the rest', async () => {
    const handled: number[] = [];
    const queue = new MessageQueue<number>((n) => {
      handled.push(n);
      if (n === 2) throw new Error('bad message');
    }, 2);
    assert.throws(() => queue.push([1, 2, 3, 4, 5]), /bad message/);
    queue.drain();
    assert.deepEqual(handled, [1, 2, 3, 4, 5]);
    await nextTurn();
    assert.deepEqual(handled, [1, 2, 3, 4, 5], 'nothing handled twice');
  });
});

describe('scheduling: turns', () => {
  it('at the cap, tasks marked first run before the others, each kind in order', async () => {
    const semaphore = new Semaphore(1);
    const order: string[] = [];
    let release!: () => void;
    const blocker = semaphore.run(() => new Promise<void>((resolve) => (release = resolve)));
    const task = (name: string) => async () => void order.push(name);
    const all = [semaphore.run(task('new-1')), semaphore.run(task('running-1'), true), semaphore.run(task('new-2')), semaphore.run(task('running-2'), true)];
    release();
    await Promise.all([blocker, ...all]);
    assert.deepEqual(order, ['running-1', 'running-2', 'new-1', 'new-2']);
  });
});

describe('scheduling: starts admitted at the rate their first turns begin', () => {
  const settled = (promise: Promise<void>) => {
    const state = { done: false };
    void promise.then(() => (state.done = true));
    return state;
  };

  it('a start waits while its turn is queued and goes on when the turn begins', async () => {
    const admission = new TurnAdmission(60_000);
    admission.queue('a');
    admission.queue('b');
    const a = settled(admission.waitForTurn('a'));
    const b = settled(admission.waitForTurn('b'));
    await nextTurn();
    assert.deepEqual([a.done, b.done], [false, false]);
    admission.began('a');
    await nextTurn();
    assert.deepEqual([a.done, b.done], [true, false], 'only the instance whose turn began');
    admission.releaseAll();
    await nextTurn();
    assert.equal(b.done, true, 'stopping releases every start');
  });

  it('a start whose turn is not queued (a free slot began it at once) does not wait', async () => {
    const admission = new TurnAdmission(60_000);
    admission.queue('a');
    admission.began('a');
    const a = settled(admission.waitForTurn('a'));
    const never = settled(admission.waitForTurn('never-queued'));
    await nextTurn();
    assert.deepEqual([a.done, never.done], [true, true]);
  });

  it('a start waits at most the bound when its turn never begins (slots held by long turns)', async () => {
    const admission = new TurnAdmission(1);
    admission.queue('stuck');
    await admission.waitForTurn('stuck');
  });

  it('with a semaphore at its cap, each start goes on when its own turn takes a slot', async () => {
    const admission = new TurnAdmission(60_000);
    const turns = new Semaphore(1);
    const releases: Array<() => void> = [];
    const wake = (id: string) => {
      admission.queue(id);
      void turns.run(async () => {
        admission.began(id);
        await new Promise<void>((resolve) => releases.push(resolve));
      });
    };
    wake('a');
    wake('b');
    const a = settled(admission.waitForTurn('a'));
    const b = settled(admission.waitForTurn('b'));
    await nextTurn();
    assert.deepEqual([a.done, b.done], [true, false], 'a took the free slot, b is queued behind it');
    releases.shift()!();
    await nextTurn();
    assert.deepEqual([a.done, b.done], [true, true]);
    releases.shift()!();
  });
});
