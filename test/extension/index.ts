/**
 * Mocha entry point loaded by the extension host (extensionTestsPath): runs suite/*.test.js with the tdd
 * UI and rejects when a test fails, which makes the runner exit non-zero.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, slow: 5_000 });
  const grep = process.env.DURABLE_EXTENSION_TEST_GREP;
  if (grep) mocha.grep(grep);
  const dir = path.join(__dirname, 'suite');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(dir, file));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => (failures ? reject(new Error(`${failures} extension test(s) failed.`)) : resolve()));
    // The closing line the test runner (and CI) reads, as the other suites print it.
    runner.once('end', () => console.log(`${runner.stats?.passes ?? 0} passed, ${runner.stats?.failures ?? 0} failed`));
  });
}
