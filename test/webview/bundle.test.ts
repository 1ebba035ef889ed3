/**
 * The front-end bundled by webpack.config.js into one script (as the .vsix ships it) runs under the strictest
 * CSP: `script-src 'nonce-…'` only, no resource root for scripts. Same page otherwise, without the tests' probes.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startHarness, TimelinePage } from './support/browser';
import type { Harness } from './support/browser';
import { bundleTimeline } from './support/bundle';
import { loadFixture } from './support/fixtures';

describe('timeline webview: webpack bundle under a nonce-only CSP', function () {
  let harness: Harness;
  let bundleDir: string;
  let page: TimelinePage | undefined;

  before(async function () {
    bundleDir = await bundleTimeline();
    harness = await startHarness();
    harness.server.setBundleDir(path.join(bundleDir, 'media'));
  });
  after(async () => {
    await page?.close().catch(() => undefined);
    await harness?.close();
    if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
  });

  it('renders the retry fixture with no CSP violation, no eval, one script', async () => {
    const script = path.join(bundleDir, 'media', 'timeline.js');
    console.log(`      bundle: timeline.js ${(fs.statSync(script).size / 1024).toFixed(1)} KiB`);
    const code = fs.readFileSync(script, 'utf8');
    assert.ok(!/\beval\(|new Function\(/.test(code), 'no eval in the bundle');
    assert.deepEqual(code.match(/timelineDebug|timelineMetrics|inspection/g), null, 'no test probe in the bundle');
    page = await TimelinePage.open(harness, { bundle: true, theme: 'light' });
    const csp = await page.page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.match(csp!, /script-src 'nonce-[^']+'(;|$)/);
    await page.init(loadFixture('retry'));
    const rows = await page.rows();
    assert.deepEqual(rows.map((r) => r.label), ['RetryActivity', 'FailTimes']);
    await page.page.click('.row[data-item-id="activity:0"] .bar');
    assert.match((await page.page.textContent('.details .details-title'))!, /FailTimes/);
    assert.deepEqual(await page.cspViolations(), []);
    assert.deepEqual(page.errors, []);
    assert.deepEqual(await page.page.evaluate(() => ['timelineDebug', 'timelineMetrics'].filter((name) => name in globalThis)), [], 'no probe on window');
  });
});
