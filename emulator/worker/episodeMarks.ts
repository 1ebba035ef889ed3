/**
 * Tells the host which orchestrator episode runs user code right now, synchronously (a line on a pipe of
 * its own, written before the code runs and after it returns): an episode that loops forever or eats all
 * memory blocks this process, so nothing sent later through the batched IPC channel would arrive. With
 * these marks the host can time the episode, and blame it alone when the process dies.
 */
import { writeSync } from 'node:fs';
import { WORKER_ENV } from '../protocol/worker';

const fd = process.env[WORKER_ENV.marksFd] ? Number(process.env[WORKER_ENV.marksFd]) : undefined;

export function markEpisode(invocationId: number, running: boolean): void {
  if (fd === undefined) return;
  try {
    writeSync(fd, `${running ? 'b' : 'e'}${invocationId}\n`);
  } catch {
    // Marks are hints: without them the host falls back to counting crashes.
  }
}
