/**
 * Who may talk to the emulator: Host must be a loopback name (defeats DNS rebinding), browsers may
 * only come from loopback origins (defeats CSRF and cross-site WebSockets), and callers from beyond
 * loopback need the key when the emulator listens on a public address.
 */
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';

const LOOPBACK_NAMES = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

export function isLoopbackBind(host: string): boolean {
  return LOOPBACK_NAMES.test(host) || host.startsWith('127.');
}

function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0];
}

export interface AccessPolicy {
  /** The address the server listens on. */
  bindHost: string;
  /** Required from non-loopback callers when bound beyond loopback. */
  key: string;
}

/** A reason to refuse the request (403/401), or null when it may proceed. */
export function checkAccess(req: IncomingMessage, url: URL, policy: AccessPolicy): { status: 401 | 403; message: string } | null {
  const loopbackBind = isLoopbackBind(policy.bindHost);
  const host = req.headers.host ?? '';
  if (loopbackBind && !LOOPBACK_NAMES.test(hostnameOf(host))) {
    return { status: 403, message: `Host '${host}' is not allowed: the emulator only answers to loopback names.` };
  }
  const origin = req.headers.origin;
  if (origin && origin !== 'null') {
    let originHost = '';
    try {
      originHost = new URL(origin).hostname;
    } catch {
      return { status: 403, message: `Origin '${origin}' is not allowed.` };
    }
    const sameHost = !loopbackBind && hostnameOf(host) === originHost;
    if (!LOOPBACK_NAMES.test(originHost) && !LOOPBACK_NAMES.test(`[${originHost}]`) && !sameHost) {
      return { status: 403, message: `Origin '${origin}' is not allowed: only pages served from loopback may call the emulator.` };
    }
  }
  if (!loopbackBind && !isLoopbackAddress(req.socket.remoteAddress)) {
    const given = url.searchParams.get('code') ?? (req.headers['x-functions-key'] as string | undefined) ?? '';
    if (!safeEqual(given, policy.key)) {
      return { status: 401, message: 'A key is required: pass ?code=<key> or the x-functions-key header (the key is printed at start-up).' };
    }
  }
  return null;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
