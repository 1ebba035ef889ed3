/** Raw bytes over a TCP socket, for requests no HTTP client would send (hostile or malformed ones). */
import * as net from 'node:net';

export interface RawAnswer {
  /** The status code of the first response line, or null when the socket closed without an answer. */
  status: number | null;
  /** Everything received until the socket closed or `settleOn` matched. */
  text: string;
  /** How the exchange ended. */
  end: 'closed' | 'answered' | 'timeout';
}

export interface RawOptions {
  /** Resolve once a full answer is in instead of waiting for the close (keep-alive servers). */
  settleOnAnswer?: boolean;
  /** Give up after this long (the caller decides whether that is a failure). */
  timeoutMs?: number;
  /** Written after the first chunk, once per `dripMs`: a slow client. */
  drip?: Buffer[];
  dripMs?: number;
}

/** Port of an http://host:port URL. */
export function portOf(base: string): number {
  return Number(new URL(base).port);
}

/** Sends `data` and collects what comes back. Never rejects: errors end the exchange like a close. */
export function rawExchange(port: number, data: Buffer | string, options: RawOptions = {}): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (end: RawAnswer['end']) => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : null, text, end });
    };
    socket.on('connect', () => {
      socket.write(data);
      (options.drip ?? []).forEach((piece, i) =>
        timers.push(setTimeout(() => !done && socket.writable && socket.write(piece), (i + 1) * (options.dripMs ?? 100))),
      );
    });
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (options.settleOnAnswer && isComplete(Buffer.concat(chunks).toString('latin1'))) finish('answered');
    });
    socket.on('error', () => finish('closed'));
    socket.on('close', () => finish('closed'));
    timers.push(setTimeout(() => finish('timeout'), options.timeoutMs ?? 20_000));
  });
}

/** Whether the text holds one whole response (headers plus a Content-Length body, or a bodiless status). */
function isComplete(text: string): boolean {
  const head = text.indexOf('\r\n\r\n');
  if (head < 0) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, head));
  if (length) return Buffer.byteLength(text.slice(head + 4), 'latin1') >= Number(length[1]);
  return !/\r\ntransfer-encoding: *chunked/i.test(text.slice(0, head)) || text.endsWith('0\r\n\r\n');
}
