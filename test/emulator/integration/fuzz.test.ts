/**
 * A seeded, bounded fuzz of the HTTP and WebSocket surfaces (issue 9 §3): random and mutated HTTP requests
 * over raw sockets (methods, targets, headers, bodies, upgrades, slow clients), WebSocket handshakes,
 * random control messages, and frame violations after a valid handshake. It fails on a crash, an
 * undocumented 5xx (or `internal` error), or a hang: every request is answered or closed within a bound.
 * The seed is printed; FUZZ_SEED=<seed> replays a run.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import WebSocket from 'ws';
import { RunningEmulator, fixtureApp, startEmulator } from '../support/emulatorProcess';
import { startOrchestration, waitForStatus } from '../support/httpClient';
import { RawAnswer, portOf, rawExchange } from '../support/rawHttp';

const SEED = Number(process.env.FUZZ_SEED) || Math.floor(Math.random() * 2 ** 31);
const HTTP_REQUESTS = 5000;
const WS_MESSAGES = 5000;
const HANDSHAKES = 400;
const FRAME_VIOLATIONS = 100;
/** An exchange that neither answers nor closes within this is a hang. */
const BOUND_MS = 20_000;

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)];
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { next, int, pick, bytes, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;

const API = '/runtime/webhooks/durabletask';
const TARGETS = [
  `${API}/instances`,
  `${API}/instances?top=5&runtimeStatus=Completed,Running`,
  `${API}/instances?top=-1`,
  `${API}/instances?createdTimeFrom=yesterday`,
  `${API}/instances/fuzz-1`,
  `${API}/instances/fuzz-1?showHistory=true&showHistoryOutput=true`,
  `${API}/instances/fuzz-1/raiseEvent/Approval`,
  `${API}/instances/fuzz-1/terminate?reason=fuzz`,
  `${API}/instances/fuzz-1/suspend`,
  `${API}/instances/fuzz-1/rewind`,
  `${API}/instances/fuzz-1/restart?restartWithNewInstanceId=false`,
  `${API}/orchestrators/HelloSequence`,
  `${API}/orchestrators/HelloSequence/fuzz-1`,
  `${API}/orchestrators/NoSuch`,
  `${API}/entities/counter/1`,
  '/api/hello/fuzz',
  '/api/nothing',
  '/admin/host/status',
  '/runtime/emulator/control',
  '/',
  '*',
  '//[',
  '///%%32%65:x/runtime/emulator/control',
  `${API}/instances/%E0%A4%A`,
  'http://127.0.0.1/admin/host/status',
];
const METHODS = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'G\u00e9T', 'FROB', ''];
const HOSTS = ['127.0.0.1', 'localhost', '[::1]', 'evil.example', '127.0.0.1:1', '', '[', 'localhost:99999'];
const ORIGINS = [undefined, undefined, 'null', 'http://127.0.0.1:9', 'https://evil.example', 'not a url'];

function mutate(rng: Rng, text: string): string {
  const chars = [...text];
  for (let i = rng.int(4); i >= 0; i--) {
    const at = rng.int(chars.length + 1);
    const op = rng.int(3);
    if (op === 0) chars.splice(at, 1);
    else if (op === 1) chars.splice(at, 0, String.fromCharCode(rng.int(256)));
    else chars.splice(at, 0, rng.pick(['%', '%%', '/', '..', '[', '\\', '?', '#', '%00', '%ZZ']));
  }
  return chars.join('');
}

function body(rng: Rng): Buffer {
  switch (rng.int(8)) {
    case 0:
      return Buffer.alloc(0);
    case 1:
      return rng.bytes(rng.int(300));
    case 2:
      return Buffer.from('['.repeat(1 + rng.int(300)) + ']'.repeat(rng.int(300)));
    case 3:
      return Buffer.from(rng.pick(['1e400', '-1e999', '{"a":1e309}', 'NaN', '"\\ud800"', '{"__proto__":{"x":1}}']));
    case 4:
      return Buffer.from(mutate(rng, JSON.stringify({ city: 'Tokyo', n: rng.int(1000), list: [1, 2, 3] })));
    default:
      return Buffer.from(JSON.stringify(rng.pick(['Tokyo', 42, null, { a: [1, { b: 'c' }] }, [], 'x'.repeat(rng.int(5000))])));
  }
}

/** One random request as raw bytes; `slow` ones are sent in pieces (each well within the server's limits). */
function httpRequest(rng: Rng): { data: Buffer; drip?: Buffer[]; target: string } {
  const method = rng.pick(METHODS);
  const target = rng.chance(0.3) ? mutate(rng, rng.pick(TARGETS)) : rng.pick(TARGETS);
  const payload = body(rng);
  const lines = [`${method} ${target} ${rng.chance(0.95) ? 'HTTP/1.1' : rng.pick(['HTTP/1.0', 'HTTP/2.0', 'HTTP/9', 'FOO'])}`];
  const host = rng.pick(HOSTS);
  if (host || rng.chance(0.5)) lines.push(`Host: ${host || '127.0.0.1'}`);
  const origin = rng.pick(ORIGINS);
  if (origin !== undefined) lines.push(`Origin: ${origin}`);
  if (rng.chance(0.1)) lines.push('Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
  else lines.push('Connection: close');
  if (rng.chance(0.1)) lines.push(`X-Junk: ${rng.bytes(rng.int(50)).toString('latin1').replace(/[\r\n]/g, '')}`);
  if (rng.chance(0.03)) lines.push(`X-Big: ${'a'.repeat(20_000)}`);
  let bodyBytes = payload;
  if (rng.chance(0.1)) {
    lines.push('Transfer-Encoding: chunked');
    bodyBytes = Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from(rng.chance(0.8) ? '\r\n0\r\n\r\n' : '\r\nzz\r\n')]);
    // eslint-disable-next-line no-dupe-else-if -- every chance() draws a new number
  } else if (rng.chance(0.1)) {
    lines.push(`Content-Length: ${rng.pick(['-1', 'abc', '1, 2', String(payload.length), '99999999999999999999'])}`);
  } else {
    lines.push(`Content-Length: ${payload.length}`);
  }
  const data = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bodyBytes]);
  if (!rng.chance(0.02)) return { data, target };
  // A slow client: the request in a few pieces, the last one long before any server limit.
  const cut = 1 + rng.int(Math.max(1, data.length - 1));
  return { data: data.subarray(0, cut), drip: [data.subarray(cut)], target };
}

/**
 * 5xx statuses the docs promise: 500 for a failing app function, the status of a Failed instance asked with
 * returnInternalServerErrorOnFailure, a start or
 * restart over an id that is still running (the extension's OrchestrationAlreadyExistsException) or a bad continuation
 * token (its ArgumentException); 501 entities; 503
 * app unavailable.
 */
function documented(answer: RawAnswer, target: string): boolean {
  if (answer.status === null || answer.status < 500) return true;
  if (answer.status === 501 || answer.status === 503) return true;
  return (
    answer.status === 500 &&
    ((/returnInternalServerErrorOnFailure/i.test(target) && /"runtimeStatus":"Failed"/.test(answer.text)) ||
      /The function '[^']+' failed|OrchestrationAlreadyExistsException|An Orchestration instance with the status \w+ already exists|Invalid continuation token/.test(answer.text))
  );
}

async function inBatches<T>(count: number, concurrency: number, run: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await run(i);
      }
    }),
  );
  return results;
}

function frame(opcode: number, payload: Buffer, options: { fin?: boolean; rsv?: number; mask?: boolean; length?: bigint } = {}): Buffer {
  const head = [((options.fin ?? true) ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode];
  const masked = options.mask ?? true;
  const length = options.length ?? BigInt(payload.length);
  const ext: number[] = [];
  if (length < 126n) head.push((masked ? 0x80 : 0) | Number(length));
  else if (length < 65536n) {
    head.push((masked ? 0x80 : 0) | 126);
    ext.push(Number(length >> 8n) & 0xff, Number(length) & 0xff);
  } else {
    head.push((masked ? 0x80 : 0) | 127);
    for (let i = 7; i >= 0; i--) ext.push(Number((length >> BigInt(8 * i)) & 0xffn));
  }
  const key = Buffer.from([1, 2, 3, 4]);
  const body = masked ? Buffer.from(payload.map((b, i) => b ^ key[i % 4])) : payload;
  return Buffer.concat([Buffer.from(head), Buffer.from(ext), masked ? key : Buffer.alloc(0), body]);
}

const VIOLATIONS: Array<(rng: Rng) => Buffer> = [
  () => frame(0x1, Buffer.from('{"type":"request","id":1,"method":"status"}'), { mask: false }),
  () => frame(0x3, Buffer.from('reserved opcode')),
  () => frame(0x1, Buffer.from('{}'), { rsv: 4 }),
  () => frame(0x9, Buffer.alloc(200)), // a control frame over 125 bytes
  () => frame(0x8, Buffer.from([0x03]), {}), // a close frame with a one-byte body
  () => frame(0x9, Buffer.from('x'), { fin: false }), // a fragmented control frame
  () => frame(0x0, Buffer.from('continuation of nothing')),
  () => frame(0x1, Buffer.from([0xff, 0xfe, 0xfd])), // invalid UTF-8 in a text frame
  () => frame(0x1, Buffer.alloc(0), { length: 2n ** 62n }), // a length past any limit
];

/** A raw WebSocket handshake, then `after`; resolves with how the server ended it ('refused': no 101, nothing sent). */
function violate(port: number, token: string, after: Buffer): Promise<'closed' | 'timeout' | 'refused'> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let upgraded = false;
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => finish('timeout'), BOUND_MS);
    const finish = (how: 'closed' | 'timeout' | 'refused') => {
      clearTimeout(timer);
      socket.destroy();
      resolve(how);
    };
    socket.on('connect', () =>
      socket.write(
        `GET /runtime/emulator/control?token=${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      ),
    );
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (!upgraded && received.includes('\r\n\r\n')) {
        upgraded = true;
        if (/^HTTP\/1\.1 101/.test(received.toString('latin1'))) socket.write(after);
        else finish('refused');
      }
    });
    socket.on('error', () => finish('closed'));
    socket.on('close', () => finish('closed'));
  });
}

/** A random body as a value: parsed when it is JSON, else the text. */
function jsonish(rng: Rng): unknown {
  const text = body(rng).toString('latin1');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function randomParams(rng: Rng): unknown {
  const ids = ['fuzz-1', 'fuzz-2', '', 'a'.repeat(300), '@entity@x', 'x/y', null, 7, ['x']];
  return rng.pick([
    {},
    { instanceId: rng.pick(ids) },
    { instanceId: rng.pick(ids), reason: rng.pick(['r', null, 1]) },
    { name: rng.pick(['HelloSequence', 'NoSuch', '', null]), input: jsonish(rng) },
    { filter: rng.pick([{}, { runtimeStatus: ['Nope'] }, { createdFrom: 'x' }, 'str', null]), pageSize: rng.pick([1, 0, 1000, 1001, -5, 2.5, '7']) },
    { topics: rng.pick([['instances'], ['logs', 'history'], ['nope'], 'instances', []]), instanceIds: rng.pick([undefined, ['fuzz-1'], [1]]) },
    { instanceId: 'fuzz-1', from: rng.pick([0, -1, 2 ** 60, 'x']), limit: rng.pick([1, 0, 10 ** 9]) },
    { instanceId: 'fuzz-1', eventName: rng.pick(['Approval', '', null]), data: rng.pick([1, 'x', { deep: true }]) },
  ]);
}

const METHOD_NAMES = [
  'status',
  'functions.list',
  'instances.list',
  'instances.get',
  'instances.history',
  'instances.start',
  'instances.raiseEvent',
  'instances.terminate',
  'instances.suspend',
  'instances.resume',
  'instances.rewind',
  'instances.restart',
  'instances.purge',
  'instances.purgeWhere',
  'instances.waitingEvents',
  'subscribe',
  'unsubscribe',
  'nope',
];

describe(`fuzz: the HTTP and WebSocket surfaces (seed ${SEED}; replay with FUZZ_SEED=${SEED})`, () => {
  let emu: RunningEmulator;
  let port: number;
  before(async () => {
    console.log(`      fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED})`);
    emu = await startEmulator({ app: fixtureApp('scenarios') });
    port = portOf(emu.http);
    await startOrchestration(emu.http, 'WaitForApproval', undefined, 'fuzz-1');
  });
  after(async () => {
    await emu?.stop();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(`      fuzz seed ${SEED}: replay with FUZZ_SEED=${SEED}`);
  });

  it(`${HTTP_REQUESTS} random HTTP requests: each answered (no undocumented 5xx) or closed in time`, async function () {
    this.timeout(120_000);
    const rng = prng(SEED);
    const problems: string[] = [];
    await inBatches(HTTP_REQUESTS, 16, async (i) => {
      const request = httpRequest(rng);
      const answer = await rawExchange(port, request.data, { drip: request.drip, dripMs: 200, timeoutMs: BOUND_MS, settleOnAnswer: true });
      const head = JSON.stringify(request.data.subarray(0, 120).toString('latin1'));
      if (answer.end === 'timeout') problems.push(`#${i} hung: ${head}`);
      else if (!documented(answer, request.target)) problems.push(`#${i} answered ${answer.status}: ${head} → ${answer.text.slice(0, 300)}`);
    });
    assert.deepEqual(problems, [], `seed ${SEED}`);
    assert.equal(emu.proc.exitCode, null, `the emulator died (seed ${SEED})`);
  });

  it(`${HANDSHAKES} random WebSocket handshakes: each answered 101 or 4xx`, async function () {
    this.timeout(60_000);
    const rng = prng(SEED + 1);
    const problems: string[] = [];
    await inBatches(HANDSHAKES, 8, async (i) => {
      const token = rng.pick([emu.token, '', 'wrong', `${emu.token}x`, encodeURIComponent('%%')]);
      const path = rng.chance(0.7) ? '/runtime/emulator/control' : mutate(rng, '/runtime/emulator/control');
      const headers = [
        `GET ${path}?token=${token} HTTP/1.1`,
        `Host: ${rng.pick(HOSTS)}`,
        ...(rng.chance(0.3) ? [`Origin: ${rng.pick(ORIGINS.filter(Boolean))}`] : []),
        'Connection: Upgrade',
        `Upgrade: ${rng.pick(['websocket', 'h2c', ''])}`,
        `Sec-WebSocket-Version: ${rng.pick(['13', '8', 'x'])}`,
        ...(rng.chance(0.8) ? ['Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='] : []),
      ];
      const answer = await rawExchange(port, `${headers.join('\r\n')}\r\n\r\n`, { timeoutMs: BOUND_MS, settleOnAnswer: true });
      const ok = answer.status === 101 || (answer.status !== null && answer.status >= 400 && answer.status < 500) || (answer.end === 'closed' && answer.status === null);
      if (!ok || answer.end === 'timeout') problems.push(`#${i}: ${answer.end} ${answer.status} for ${JSON.stringify(headers)}`);
    });
    assert.deepEqual(problems, [], `seed ${SEED}`);
    assert.equal(emu.proc.exitCode, null, `the emulator died (seed ${SEED})`);
  });

  it(`${WS_MESSAGES} random control messages: each answered, none with an internal error`, async function () {
    this.timeout(120_000);
    const rng = prng(SEED + 2);
    const ws = new WebSocket(`${emu.ws}?token=${emu.token}`, { maxPayload: 256 * 1024 * 1024 });
    const responses = new Map<number | null, number>();
    const internal: string[] = [];
    let nullIds = 0;
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.type !== 'response') return;
      if (message.id === null) nullIds++;
      else responses.set(message.id, (responses.get(message.id) ?? 0) + 1);
      if (!message.ok && message.error.code === 'internal') internal.push(JSON.stringify(message).slice(0, 300));
    });
    let closeInfo = '';
    ws.on('close', (code, reason) => (closeInfo = `${code} ${reason.toString()}`));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let expectNull = 0;
    // Valid ids far from any number a mutation could make of the others.
    for (let id = 1_000_001; id <= 1_000_000 + WS_MESSAGES; id++) {
      const kind = rng.int(10);
      if (kind === 0) {
        const junk = rng.bytes(1 + rng.int(100));
        // Binary frames, or text frames of valid UTF-8 (invalid UTF-8 is a frame violation, tested below).
        if (rng.chance(0.5)) ws.send(junk, { binary: true });
        else ws.send(junk.toString('latin1'));
        expectNull++;
      } else if (kind === 1) {
        ws.send(mutate(rng, JSON.stringify({ type: 'request', id: 'x', method: 'status' })));
        expectNull++;
      } else {
        ws.send(JSON.stringify({ type: rng.chance(0.95) ? 'request' : 'response', id, method: rng.pick(METHOD_NAMES), params: randomParams(rng) }));
        responses.set(id, responses.get(id) ?? 0);
      }
    }
    const deadline = Date.now() + 60_000;
    const answered = () => [...responses.values()].every((n) => n === 1) && nullIds >= Math.floor(expectNull * 0.5);
    while (!answered() && Date.now() < deadline && ws.readyState === WebSocket.OPEN) await new Promise((r) => setTimeout(r, 50));
    if (ws.readyState !== WebSocket.OPEN) console.log(`      the connection closed: ${closeInfo}`);
    const missing = [...responses.entries()].filter(([, n]) => n !== 1).map(([id]) => id);
    ws.close();
    assert.deepEqual(missing, [], `requests without exactly one response (seed ${SEED})`);
    assert.deepEqual(internal, [], `internal errors (seed ${SEED})`);
    assert.equal(emu.proc.exitCode, null, `the emulator died (seed ${SEED})`);
  });

  it(`${FRAME_VIOLATIONS} frame violations after a valid handshake: the connection is closed, the emulator lives`, async function () {
    this.timeout(60_000);
    const rng = prng(SEED + 3);
    const outcomes = await inBatches(FRAME_VIOLATIONS, 8, () => violate(port, emu.token, rng.pick(VIOLATIONS)(rng)));
    assert.ok(!outcomes.includes('refused'), `a handshake was refused, so no violation was sent (seed ${SEED})`);
    assert.ok(!outcomes.includes('timeout'), `a violation left its connection open (seed ${SEED})`);
    assert.equal(emu.proc.exitCode, null);
    const id = await startOrchestration(emu.http, 'HelloSequence');
    assert.equal((await waitForStatus(emu.http, id, ['Completed', 'Failed'], 60_000)).runtimeStatus, 'Completed');
  });
});
