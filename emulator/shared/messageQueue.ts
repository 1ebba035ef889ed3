/**
 * Messages of the host↔worker channel, handled a few at a time. A busy side sends hundreds in one batch;
 * handled in one go they would hold the event loop for tens of milliseconds while due timers, HTTP
 * requests and the other side's next batch wait, and the two processes would take turns instead of
 * working at once. The first chunk runs at once, the rest in later turns of the event loop, in order.
 */
export class MessageQueue<T> {
  private queue: T[] = [];
  private head = 0;
  private scheduled = false;

  constructor(
    private readonly handle: (message: T) => void,
    private readonly chunk = 16,
  ) {}

  push(messages: T[]): void {
    for (const message of messages) this.queue.push(message);
    if (!this.scheduled) this.run();
  }

  /** Handles everything still queued, now (e.g. results that arrived before the sender exited). */
  drain(): void {
    this.chunkUntil(this.queue.length);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    this.chunkUntil(Math.min(this.queue.length, this.head + this.chunk));
  };

  private chunkUntil(end: number): void {
    try {
      while (this.head < end) this.handle(this.queue[this.head++]);
    } finally {
      if (this.head < this.queue.length) {
        if (!this.scheduled) {
          this.scheduled = true;
          setImmediate(this.run);
        }
      } else {
        this.queue = [];
        this.head = 0;
      }
    }
  }
}
