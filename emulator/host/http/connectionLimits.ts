/**
 * What the HTTP port does with connections before (or instead of) a request handler: time limits for
 * slow clients, a cap on open connections, and a raw HTTP answer for what never reaches a handler
 * (malformed requests, CONNECT). Every client gets an answer or a closed socket, never a crash.
 */
import type * as http from 'node:http';
import type { Duplex } from 'node:stream';

/** A request's headers must arrive within this; the answer is 408 (Node's default waits 60 s). */
export const HEADERS_TIMEOUT_MS = 10_000;
/** The whole request, body included, must arrive within this (Node's default: 300 s). */
export const REQUEST_TIMEOUT_MS = 30_000;
/** How often the two limits above are checked; a slow client is cut within the limit plus this. */
export const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/** Open connections at once (HTTP and WebSocket); past it new connections are closed at once. */
export const MAX_CONNECTIONS = 512;

export const SERVER_OPTIONS: http.ServerOptions = {
  headersTimeout: HEADERS_TIMEOUT_MS,
  requestTimeout: REQUEST_TIMEOUT_MS,
  connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
};

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
  503: 'Service Unavailable',
};

/** Answers on a socket no ServerResponse owns (upgrades, CONNECT, parse errors), then closes it. */
export function answerRaw(socket: Duplex, status: number, message: string, extraHeaders = ''): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nConnection: close\r\n${extraHeaders}` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Applies the limits and answers what Node would otherwise drop or answer inconsistently. */
export function guardConnections(server: http.Server): void {
  server.maxConnections = MAX_CONNECTIONS;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A response already under way on this connection cannot be followed by another answer.
    if ((socket as { _httpMessage?: http.ServerResponse })._httpMessage?.headersSent) return void socket.destroy();
    switch (error.code) {
      case 'ERR_HTTP_REQUEST_TIMEOUT':
        return answerRaw(socket, 408, 'The request did not arrive in time.');
      case 'HPE_HEADER_OVERFLOW':
        return answerRaw(socket, 431, 'The request headers are too large.');
      case 'ECONNRESET':
        return void socket.destroy();
      default:
        return answerRaw(socket, 400, `Malformed HTTP request: ${error.message}`);
    }
  });
  // Without a listener Node closes CONNECT requests without a word.
  server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => {
    socket.on('error', () => undefined);
    answerRaw(socket, 405, 'CONNECT is not supported: the emulator is not a proxy.', 'Allow: GET, POST, DELETE\r\n');
  });
}
