/**
 * `npm test`: every suite in turn — the static checks (ESLint, the dependency rules), emulator (plain Node),
 * webview (headless Chromium), extension (inside a real VS Code's extension host) and UI end-to-end (the
 * packaged .vsix in code-server) — with their output passed through and one closing line for the whole run:
 * "N passed, N failed". A check that prints no counts of its own counts as one. Exits non-zero when any suite
 * fails or cannot run.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const MOCHA = path.join(REPO, 'node_modules', 'mocha', 'bin', 'mocha.js');
/** What the dependency rules look at (also `npm run lint:deps`). */
const LINT_DEPS_FOLDERS = ['src', 'media', 'emulator', 'test', 'bench'];

interface Suite {
  name: string;
  /** Run with this process's node. */
  args: string[];
  /** Skipped (with a line saying so) when this file does not exist. */
  requires?: string;
}

const SUITES: Suite[] = [
  { name: 'eslint', args: [path.join(REPO, 'node_modules', 'eslint', 'bin', 'eslint.js'), '.'] },
  {
    name: 'dependency rules',
    args: [path.join(REPO, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs'), '--config', '.dependency-cruiser.cjs', ...LINT_DEPS_FOLDERS],
  },
  { name: 'emulator', args: [MOCHA] },
  { name: 'webview', args: [MOCHA, '--config', 'test/webview/.mocharc.json'], requires: 'test/webview/.mocharc.json' },
  {
    name: 'extension',
    args: [
      'out/test/vscode/runTests.js',
      '--extensionTestsPath',
      'out/test/extension/index.js',
      '--workspace',
      'test/extension/fixtures/workspace',
    ],
  },
  { name: 'ui', args: [MOCHA, '--config', 'test/extension/.mocharc.ui.json'] },
  { name: 'test infrastructure', args: [MOCHA, '--config', 'test/vscode/.mocharc.json'] },
];

const SUMMARY = /^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/m;

function run(suite: Suite): Promise<{ code: number; passed: number; failed: number; skipped: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, suite.args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const pass = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      stream.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-4096);
    };
    child.stdout.on('data', pass(process.stdout));
    child.stderr.on('data', pass(process.stderr));
    child.on('close', (code) => {
      const lines = tail.split('\n').filter((l) => SUMMARY.test(l));
      const m = lines.length ? SUMMARY.exec(lines[lines.length - 1]) : null;
      const ok = code === 0;
      if (!m) return resolve({ code: code ?? 1, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0 });
      resolve({ code: code ?? 1, passed: Number(m[1]), failed: Number(m[2]), skipped: m[3] ? Number(m[3]) : 0 });
    });
  });
}

async function main(): Promise<void> {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const broken: string[] = [];
  for (const suite of SUITES) {
    if (suite.requires && !fs.existsSync(path.join(REPO, suite.requires))) {
      process.stdout.write(`\n=== ${suite.name}: not present, skipped\n`);
      continue;
    }
    process.stdout.write(`\n=== ${suite.name} tests\n`);
    const started = Date.now();
    const result = await run(suite);
    passed += result.passed;
    failed += result.failed;
    skipped += result.skipped;
    const verdict = result.code === 0 ? 'ok' : `FAILED (exit ${result.code})`;
    process.stdout.write(`=== ${suite.name}: ${result.passed} passed, ${result.failed} failed in ${Math.round((Date.now() - started) / 1000)} s: ${verdict}\n`);
    if (result.code !== 0) broken.push(suite.name);
  }
  if (broken.length) {
    process.stdout.write(`\nSuites that failed: ${broken.join(', ')}\n`);
    if (failed === 0) failed = broken.length; // a suite that could not run counts as a failure
  }
  process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  process.exit(broken.length ? 1 : 0);
}

void main();
