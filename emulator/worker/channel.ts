/**
 * The worker's side of the host channel: the IPC channel of the forked process, carrying the JSON
 * messages of protocol/worker.ts.
 */
import { batch, unbatch, type HostMessage, type HostToWorker, type WorkerMessage } from '../protocol/worker';
import { MessageQueue } from '../shared/messageQueue';

let unsent = 0;
let onDrained: (() => void)[] = [];
/** Messages of this event-loop turn, written together: one IPC write costs about as much as its content. */
let queued: WorkerMessage[] = [];

export function sendToHost(message: WorkerMessage): void {
  if (!process.send || !process.connected) {
    return;
  }
  if (queued.push(message) === 1) {
    unsent++;
    setImmediate(writeQueued);
  }
}

function writeQueued(): void {
  const messages = queued;
  queued = [];
  if (!process.send || !process.connected) return drained();
  // A send error means the host is gone; the 'disconnect' handler ends the worker.
  process.send(batch(messages), undefined, {}, drained);
}

function drained(): void {
  unsent--;
  if (unsent === 0) {
    onDrained.forEach((resolve) => resolve());
    onDrained = [];
  }
}

/** Resolves once every message sent so far is written, so exiting does not drop the last ones. */
export function flushToHost(): Promise<void> {
  return unsent === 0 ? Promise.resolve() : new Promise((resolve) => onDrained.push(resolve));
}

export function onHostMessage(handler: (message: HostMessage) => void): void {
  const inbox = new MessageQueue<HostMessage>(handler);
  process.on('message', (message: HostToWorker) => inbox.push(unbatch(message)));
}
