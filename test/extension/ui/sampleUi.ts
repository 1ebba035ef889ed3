/**
 * The code-server session both UI tests run in: the packaged .vsix installed, samples/approvals open (built on
 * demand), a free port and a data folder outside the sample (so a run leaves the checkout as it was), a
 * screenshot when a test fails, everything removed afterwards.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openUi, REPO, screenshot, UiSession } from '../../vscode/ui';

export const VSIX = path.join(REPO, 'durable-functions-emulator.vsix');
export const SAMPLE = path.join(REPO, 'samples', 'approvals');

/** Opens the session in `before`; the getter returns it inside tests. */
export function useSampleUi(name: string, viewport?: { width: number; height: number }): () => UiSession {
  let ui: UiSession | undefined;
  let dataFolder = '';
  before(async function () {
    this.timeout(20 * 60_000);
    if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} is missing: run \`npm run package\` first.`);
    if (!fs.existsSync(path.join(SAMPLE, 'dist'))) {
      const r = spawnSync('npm', ['run', 'build', '--workspace', 'samples/approvals'], { cwd: REPO, stdio: 'inherit' });
      assert.equal(r.status, 0, 'building samples/approvals failed');
    }
    dataFolder = fs.mkdtempSync(path.join(os.tmpdir(), `dfe-ui-${name}-`));
    ui = await openUi({
      folder: SAMPLE,
      vsix: [VSIX],
      viewport,
      settings: { 'durableEmulator.port': 0, 'durableEmulator.dataFolder': dataFolder },
    });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && ui) await screenshot(ui.page, `${name}-failed-${this.currentTest.title.slice(0, 40)}`).catch(() => undefined);
  });
  after(async () => {
    await ui?.close();
    if (dataFolder) fs.rmSync(dataFolder, { recursive: true, force: true });
  });
  return () => {
    if (!ui) throw new Error('the code-server session did not open');
    return ui;
  };
}
