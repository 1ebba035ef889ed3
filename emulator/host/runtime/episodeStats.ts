/** Where episode time goes: the host's own work vs the round trip to the worker (benchmarks, status). */
export interface EpisodeSample {
  /** History length the orchestrator replayed. */
  events: number;
  hostMs: number;
  workerMs: number;
}

export class EpisodeStats {
  private readonly ring: EpisodeSample[] = [];
  private next = 0;

  constructor(private readonly size = 512) {}

  record(sample: EpisodeSample): void {
    if (this.ring.length < this.size) this.ring.push(sample);
    else this.ring[this.next] = sample;
    this.next = (this.next + 1) % this.size;
  }

  /** The most recent samples, oldest first. */
  recent(): EpisodeSample[] {
    return this.ring.length < this.size ? [...this.ring] : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
  }
}
