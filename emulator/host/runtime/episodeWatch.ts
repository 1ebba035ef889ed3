/**
 * Which orchestrator episode runs user code in the worker right now, from the marks the worker writes
 * around it (emulator/worker/episodeMarks.ts), and its time limit. An episode runs synchronously, so at
 * most one runs at a time, and while it runs the worker does nothing else: an episode past its limit
 * hangs every instance, and a worker that dies while one runs was killed by it.
 */
import type { Readable } from 'node:stream';

export interface RunningEpisode {
  invocationId: number;
  since: number;
}

export class EpisodeWatch {
  private current: (RunningEpisode & { timer?: NodeJS.Timeout }) | null = null;
  private source: Readable | null = null;

  constructor(
    /** Infinity for no limit (a worker under the debugger). */
    private readonly limitMs: number,
    private readonly onOverrun: (episode: RunningEpisode) => void,
    private readonly onBegin: (episode: RunningEpisode) => void,
  ) {}

  get running(): RunningEpisode | null {
    return this.current;
  }

  /** Reads the marks of one worker process (those of an earlier one, still arriving, are ignored). */
  attach(marks: Readable): void {
    this.source = marks;
    let buffer = '';
    marks.setEncoding('utf8');
    marks.on('data', (chunk: string) => {
      if (this.source !== marks) return;
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const id = Number(line.slice(1));
        if (line[0] === 'b') this.begin(id);
        else if (line[0] === 'e') this.end(id);
      }
    });
    marks.on('error', () => undefined);
  }

  /** Forgets the running episode (its result arrived, or the process is gone). */
  end(invocationId?: number): void {
    if (!this.current || (invocationId !== undefined && this.current.invocationId !== invocationId)) return;
    clearTimeout(this.current.timer);
    this.current = null;
  }

  private begin(invocationId: number): void {
    this.end();
    const episode: RunningEpisode & { timer?: NodeJS.Timeout } = { invocationId, since: Date.now() };
    if (Number.isFinite(this.limitMs)) episode.timer = setTimeout(() => this.current === episode && this.onOverrun(episode), this.limitMs);
    this.current = episode;
    this.onBegin(episode);
  }
}
