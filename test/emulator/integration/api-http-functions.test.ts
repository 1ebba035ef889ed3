/**
 * The app's own HTTP functions under /api: route templates (parameters, constraints, optional parameters),
 * methods, query strings, bodies (JSON and binary), headers both ways, and a function that throws.
 */
import * as assert from 'node:assert/strict';
import { useEmulator } from '../support/emulatorProcess';
import { request, startOrchestration, waitForStatus } from '../support/httpClient';

describe('api: app HTTP functions', () => {
  const emulator = useEmulator();
  let base = '';
  before(() => (base = emulator().http));

  describe('routes', () => {
    it('passes route parameters (with constraints) to the function', async () => {
      const reply = await request('GET', `${base}/api/items/books/42`);
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.json, { category: 'books', id: '42' });
    });

    it('does not match when a constraint fails (404)', async () => {
      assert.equal((await request('GET', `${base}/api/items/books/not-a-number`)).status, 404);
      assert.equal((await request('GET', `${base}/api/items/123/42`)).status, 404);
    });

    it('decodes percent-encoded parameters', async () => {
      const reply = await request('GET', `${base}/api/hello/${encodeURIComponent('Zoë Smith')}`);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.text, 'Hello Zoë Smith');
    });

    it('matches literal segments case-insensitively', async () => {
      const reply = await request('GET', `${base}/api/HELLO/World`);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.text, 'Hello World');
    });

    it('handles optional parameters, present or absent', async () => {
      const withName = await request('GET', `${base}/api/greet/ann`);
      assert.equal(withName.status, 200, withName.text);
      assert.equal(withName.text, 'greet ann');
      const without = await request('GET', `${base}/api/greet`);
      assert.equal(without.status, 200, without.text);
      assert.equal(without.text, 'greet nobody');
    });

    it('uses the function name as the route when none is given', async () => {
      // Boom has no route: /api/Boom (it throws, but it is found).
      assert.notEqual((await request('GET', `${base}/api/Boom`)).status, 404);
    });

    it('answers 405 for a known path with another method, 404 for an unknown path', async () => {
      const wrong = await request('GET', `${base}/api/only/post`);
      assert.equal(wrong.status, 405, wrong.text);
      const right = await request('POST', `${base}/api/only/post`, '');
      assert.equal(right.status, 201, right.text);
      assert.equal(right.text, 'created');
      const hello = await request('DELETE', `${base}/api/hello/x`);
      assert.equal(hello.status, 405, hello.text);
      const unknown = await request('GET', `${base}/api/no/such/route`);
      assert.equal(unknown.status, 404, unknown.text);
      assert.match(unknown.json?.message ?? '', /No HTTP function/);
    });

    it('answers 404 outside /api and the Durable API', async () => {
      assert.equal((await request('GET', `${base}/not-api/hello/x`)).status, 404);
    });
  });

  describe('requests and responses', () => {
    it('passes the query string, headers and JSON body, and returns custom headers', async () => {
      const reply = await request('POST', `${base}/api/echo/request/tail-part?a=1&b=two%20words&empty=`, { hello: 'world', n: [1, 2] }, {
        'x-custom': 'custom-value',
        'x-another': 'another one',
      });
      assert.equal(reply.status, 200, reply.text);
      const echoed = reply.json;
      assert.equal(echoed.method, 'POST');
      assert.deepEqual(echoed.params, { tail: 'tail-part' });
      assert.deepEqual(echoed.query, { a: '1', b: 'two words', empty: '' });
      assert.equal(echoed.headers['x-custom'], 'custom-value');
      assert.equal(echoed.headers['x-another'], 'another one');
      assert.match(echoed.headers['content-type'], /application\/json/);
      assert.deepEqual(echoed.json, { hello: 'world', n: [1, 2] });
      assert.equal(new URL(echoed.url).pathname, '/api/echo/request/tail-part');
      assert.equal(new URL(echoed.url).searchParams.get('b'), 'two words');
      assert.equal(reply.headers.get('x-echo-custom'), 'custom-value');
      assert.equal(reply.headers.get('x-echo-method'), 'POST');
      assert.match(reply.headers.get('content-type') ?? '', /application\/json/);
    });

    it('passes PUT and DELETE, and a text body as is', async () => {
      const put = await request('PUT', `${base}/api/echo/request`, 'plain text body', { 'content-type': 'text/plain' });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.json.method, 'PUT');
      assert.equal(put.json.body, 'plain text body');
      const del = await request('DELETE', `${base}/api/echo/request`);
      assert.equal(del.json.method, 'DELETE');
      assert.equal(del.json.body, '');
    });

    it('round-trips a binary body byte for byte', async () => {
      const bytes = Buffer.alloc(1024);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) % 256;
      const res = await fetch(`${base}/api/echo/binary`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-received-length'), String(bytes.length));
      assert.equal(res.headers.get('content-type'), 'application/octet-stream');
      const back = Buffer.from(await res.arrayBuffer());
      assert.equal(back.length, bytes.length);
      assert.ok(back.equals(Buffer.from(bytes).reverse()), 'the reversed bytes come back unchanged');
    });

    it('a throwing function answers 500 with a message, and the emulator keeps serving', async () => {
      const reply = await request('GET', `${base}/api/Boom`);
      assert.equal(reply.status, 500, reply.text);
      assert.match(reply.json?.message ?? reply.text, /http boom/);
      assert.match(reply.json?.message ?? reply.text, /Boom/);
      // Still serving: HTTP functions and orchestrations.
      const hello = await request('GET', `${base}/api/hello/again`);
      assert.equal(hello.status, 200);
      assert.equal(hello.text, 'Hello again');
      const id = await startOrchestration(base, 'HelloSequence');
      assert.equal((await waitForStatus(base, id, ['Completed', 'Failed'])).runtimeStatus, 'Completed');
    });

    it('logs from an HTTP function reach the emulator log', async () => {
      await request('GET', `${base}/api/hello/logger`);
      await emulator().waitForLog(/Hello called for logger/, 10_000);
    });

    it('serves concurrent requests', async () => {
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => request('GET', `${base}/api/hello/n${i}`)));
      replies.forEach((r, i) => {
        assert.equal(r.status, 200);
        assert.equal(r.text, `Hello n${i}`);
      });
    });
  });
});
