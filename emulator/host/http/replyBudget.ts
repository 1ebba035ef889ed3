/**
 * A bound on the bytes of large replies (instance lists and statuses) built but not yet written to their
 * clients. A burst of list requests is served one reply after another as the earlier ones drain, instead
 * of building every reply at once; a client that stops reading is cut after REPLY_STALL_MS.
 */
import type { ServerResponse } from 'node:http';
import { stringifyWithRaw } from '../rawJson';
import { sendEmpty } from './apiReplies';
import { sendJsonText } from './httpUtil';

/** Reply bytes in flight before further large replies wait (one reply is always let through). */
export const REPLY_BUDGET_BYTES = 64 * 1024 * 1024;
/** A client that takes nothing of its reply for this long loses its connection (and its share of the budget). */
export const REPLY_STALL_MS = 30_000;

export class ReplyBudget {
  private outstanding = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit = REPLY_BUDGET_BYTES) {}

  /** Waits for room, builds the body, and sends it; its bytes count until written or the connection closes. */
  async send(res: ServerResponse, build: () => { status: number; body?: unknown; headers?: Record<string, string> }): Promise<void> {
    if (this.outstanding >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      const { status, body, headers } = build();
      const text = body === undefined ? '' : stringifyWithRaw(body);
      const bytes = Buffer.byteLength(text);
      this.outstanding += bytes;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.outstanding -= bytes;
        this.wakeNext();
      };
      res.once('finish', release);
      res.once('close', release);
      res.setTimeout(REPLY_STALL_MS);
      if (body === undefined) sendEmpty(res, status, headers);
      else sendJsonText(res, status, text, headers);
    } finally {
      // Whoever waits next may start building while this reply drains, if the budget allows it.
      this.wakeNext();
    }
  }

  private wakeNext(): void {
    if (this.outstanding < this.limit) this.waiting.shift()?.();
  }
}
