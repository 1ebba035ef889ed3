/**
 * CORS as Core Tools sets it up from local.settings.json (Host.CORS, Host.CORSCredentials), and the
 * host.json durableTask options the HTTP API reads (useAppLease for makeprimary, defaultVersion). The app
 * is the scenarios fixture copied with its own settings; node_modules links to the repository's.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, RunningEmulator, fixtureApp, startEmulator, tempDir } from '../support/emulatorProcess';
import { api, request, waitForStatus } from '../support/httpClient';

const ALLOWED = 'http://localhost:3000';
const OTHER = 'https://app.example.com';
const FOREIGN = 'https://evil.example.net';

function appWith(host: Record<string, unknown>, durableTask: Record<string, unknown>): string {
  const dir = tempDir('durable-emulator-cors-');
  fs.cpSync(fixtureApp('scenarios'), dir, { recursive: true });
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.writeFileSync(path.join(dir, 'host.json'), JSON.stringify({ version: '2.0', extensions: { durableTask: { hubName: 'CorsHub', ...durableTask } } }));
  const settings = JSON.parse(fs.readFileSync(path.join(dir, 'local.settings.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'local.settings.json'), JSON.stringify({ ...settings, Host: host }));
  return dir;
}

describe('api: CORS from local.settings.json Host', () => {
  describe('listed origins with credentials', () => {
    let emu: RunningEmulator;
    let base: string;
    before(async () => {
      emu = await startEmulator({ app: appWith({ CORS: `${ALLOWED},${OTHER.toUpperCase()}`, CORSCredentials: true }, { useAppLease: false, defaultVersion: '1.5' }) });
      base = emu.http;
    });
    after(async () => {
      await emu?.stop();
    });

    it('answers a preflight from a listed origin with 204 and the Access-Control-* headers', async () => {
      const reply = await request('OPTIONS', `${api(base)}/instances/x/raiseEvent/E`, undefined, {
        origin: ALLOWED,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-custom',
      });
      assert.equal(reply.status, 204);
      assert.equal(reply.headers.get('access-control-allow-origin'), ALLOWED);
      assert.equal(reply.headers.get('access-control-allow-methods'), 'POST');
      assert.equal(reply.headers.get('access-control-allow-headers'), 'content-type,x-custom');
      assert.equal(reply.headers.get('access-control-allow-credentials'), 'true');
      assert.equal(reply.headers.get('vary'), 'Origin');
    });

    it('answers a preflight from another origin with a bare 204', async () => {
      const reply = await request('OPTIONS', `${base}/api/client/getStatusAll`, undefined, { origin: FOREIGN, 'access-control-request-method': 'GET' });
      assert.equal(reply.status, 204);
      assert.equal(reply.headers.get('access-control-allow-origin'), null);
    });

    it('lets listed origins call the API and the app (origins compared lower-cased), with the headers on the answer', async () => {
      const started = await request('POST', `${api(base)}/orchestrators/HelloSequence`, undefined, { origin: ALLOWED });
      assert.equal(started.status, 202, started.text);
      assert.equal(started.headers.get('access-control-allow-origin'), ALLOWED);
      assert.equal(started.headers.get('access-control-allow-credentials'), 'true');
      await waitForStatus(base, started.json.id, ['Completed']);
      const fromApp = await request('POST', `${base}/api/client/getStatus/${started.json.id}`, {}, { origin: OTHER });
      assert.equal(fromApp.status, 200, fromApp.text);
      assert.equal(fromApp.headers.get('access-control-allow-origin'), OTHER);
    });

    it('still refuses other browser origins (403) and adds no CORS headers for calls without Origin', async () => {
      const refused = await request('GET', `${api(base)}/instances`, undefined, { origin: FOREIGN });
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get('access-control-allow-origin'), null);
      const plain = await request('GET', `${api(base)}/instances`);
      assert.equal(plain.status, 200);
      assert.equal(plain.headers.get('access-control-allow-origin'), null);
    });

    it('refuses makeprimary with useAppLease false, and starts instances with host.json defaultVersion', async () => {
      const primary = await request('POST', `${api(base)}/makeprimary`);
      assert.equal(primary.status, 400);
      assert.deepEqual(primary.json, { Message: 'Cannot make current app primary. This app is not using the AppLease feature.' });
      const versioned = await request('POST', `${api(base)}/orchestrators/VersionOf?timeout=30&pollingInterval=1`);
      assert.equal(versioned.json, '1.5');
    });
  });

  describe('any origin', () => {
    let emu: RunningEmulator;
    before(async () => {
      emu = await startEmulator({ app: appWith({ CORS: '*' }, {}) });
    });
    after(async () => {
      await emu?.stop();
    });

    it('answers every origin with Access-Control-Allow-Origin: *', async () => {
      const reply = await request('GET', `${api(emu.http)}/instances`, undefined, { origin: FOREIGN });
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.headers.get('access-control-allow-origin'), '*');
      assert.equal(reply.headers.get('access-control-allow-credentials'), null);
    });
  });

  it('refuses to start with CORS "*" and credentials, as ASP.NET Core does', async () => {
    await assert.rejects(startEmulator({ app: appWith({ CORS: '*', CORSCredentials: true }, {}), timeoutMs: 30_000 }), /wildcard origin with credentials/);
  });
});
