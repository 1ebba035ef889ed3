/**
 * Who may talk to the emulator: Host must be a loopback name, or when listening beyond loopback an IP
 * literal or this machine's name (defeats DNS rebinding, which needs a domain the attacker controls);
 * browsers may only come from loopback origins or the emulator's own (defeats CSRF and cross-site
 * WebSockets; opaque "null" origins included); and callers from other machines need the key when the
 * emulator listens beyond loopback.
 */
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import * as os from 'node:os';

const LOOPBACK_NAMES = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** A caller on this machine: loopback, or a connection to one of our own addresses from itself. */
export function isLocalCaller(req: IncomingMessage): boolean {
  const { remoteAddress, localAddress } = req.socket;
  return isLoopbackAddress(remoteAddress) || (!!remoteAddress && remoteAddress === localAddress);
}

export function isLoopbackBind(host: string): boolean {
  return LOOPBACK_NAMES.test(host) || host.startsWith('127.');
}

function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0];
}

function isLoopbackName(name: string): boolean {
  return LOOPBACK_NAMES.test(name) || LOOPBACK_NAMES.test(`[${name}]`);
}

/** Names a rebinding attacker cannot point at us: IP literals and this machine's own name. */
function isTrustedHostName(name: string): boolean {
  const bare = name.replace(/^\[|\]$/g, '');
  return isLoopbackName(name) || isIP(bare) !== 0 || bare.toLowerCase() === os.hostname().toLowerCase();
}

export interface AccessPolicy {
  /** The address the server listens on. */
  bindHost: string;
  /** Required from non-loopback callers when bound beyond loopback. */
  key: string;
  /** Origins let through by Host.CORS in local.settings.json (cors.ts). */
  corsAllows?: (origin: string) => boolean;
}

/** A reason to refuse the request (403/401), or null when it may proceed. */
export function checkAccess(req: IncomingMessage, url: URL, policy: AccessPolicy): { status: 401 | 403; message: string } | null {
  const loopbackBind = isLoopbackBind(policy.bindHost);
  const host = req.headers.host ?? '';
  const hostName = hostnameOf(host);
  if (loopbackBind ? !isLoopbackName(hostName) : !isTrustedHostName(hostName)) {
    return { status: 403, message: `Host '${host}' is not allowed: the emulator only answers to loopback names${loopbackBind ? '' : ', IP addresses and this machine\'s name'}.` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost = '';
    try {
      originHost = new URL(origin).hostname;
    } catch {
      if (!policy.corsAllows?.(origin)) return { status: 403, message: `Origin '${origin}' is not allowed.` };
    }
    const ownOrigin = !loopbackBind && originHost === hostName.replace(/^\[|\]$/g, '');
    if (!isLoopbackName(originHost) && !ownOrigin && !policy.corsAllows?.(origin)) {
      return { status: 403, message: `Origin '${origin}' is not allowed: only pages served from loopback may call the emulator.` };
    }
  }
  if (!loopbackBind && !isLocalCaller(req)) {
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
