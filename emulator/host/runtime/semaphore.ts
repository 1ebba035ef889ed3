/**
 * Caps how many tasks of one kind run at once (host.json maxConcurrent*Functions). When the cap is reached,
 * tasks wait in order, those marked `first` ahead of the others.
 */
export class Semaphore {
  private readonly waiting: { first: Array<() => void>; others: Array<() => void> } = { first: [], others: [] };
  private active = 0;

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>, first = false): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => (first ? this.waiting.first : this.waiting.others).push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.first.shift() ?? this.waiting.others.shift();
      if (next) next();
      else this.active--;
    }
  }
}
