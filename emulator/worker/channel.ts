/**
 * The worker's side of the host channel: the IPC channel of the forked process, carrying the JSON
 * messages of protocol/worker.ts.
 */
import type { HostToWorker, WorkerToHost } from '../protocol/worker';

let unsent = 0;
let onDrained: (() => void)[] = [];

export function sendToHost(message: WorkerToHost): void {
  if (!process.send || !process.connected) {
    return;
  }
  unsent++;
  // A send error means the host is gone; the 'disconnect' handler ends the worker.
  process.send(message, undefined, {}, () => {
    unsent--;
    if (unsent === 0) {
      onDrained.forEach((resolve) => resolve());
      onDrained = [];
    }
  });
}

/** Resolves once every message sent so far is written, so exiting does not drop the last ones. */
export function flushToHost(): Promise<void> {
  return unsent === 0 ? Promise.resolve() : new Promise((resolve) => onDrained.push(resolve));
}

export function onHostMessage(handler: (message: HostToWorker) => void): void {
  process.on('message', (message) => handler(message as HostToWorker));
}
