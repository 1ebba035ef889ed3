/** package.json `main` expanded as the Functions Node worker's globby does, and the error when nothing matches. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeNoMatch, findEntryPoints } from '../../emulator/worker/entryPoints';
import { loadApp } from '../../emulator/worker/loader';
import { tempDir } from './support/emulatorProcess';

describe('app entry points (package.json main)', () => {
  let app: string;
  const file = (...parts: string[]): string => path.join(app, ...parts);
  const found = (pattern: string): string[] => findEntryPoints(app, pattern).map((f) => path.relative(app, f)).sort();

  before(() => {
    app = tempDir('worker-entry-');
    const files = ['dist/src/index.js', 'dist/src/functions/a.js', 'dist/src/functions/b.js', 'dist/src/functions/a.js.map', 'dist/src/functions/nested/c.js', 'dist/.hidden/d.js', 'README.md'];
    for (const f of files) {
      fs.mkdirSync(path.dirname(file(f)), { recursive: true });
      fs.writeFileSync(file(f), '');
    }
  });

  it('expands the VS Code extension template\'s braces', () => {
    assert.deepEqual(found('dist/src/{index.js,functions/*.js}'), ['dist/src/functions/a.js', 'dist/src/functions/b.js', 'dist/src/index.js']);
  });

  it('expands *, ** and ? without entering hidden folders', () => {
    assert.deepEqual(found('dist/src/functions/*.js'), ['dist/src/functions/a.js', 'dist/src/functions/b.js']);
    assert.deepEqual(found('./dist/**/*.js'), ['dist/src/functions/a.js', 'dist/src/functions/b.js', 'dist/src/functions/nested/c.js', 'dist/src/index.js']);
    assert.deepEqual(found('dist/**/?.js'), ['dist/src/functions/a.js', 'dist/src/functions/b.js', 'dist/src/functions/nested/c.js']);
    assert.deepEqual(found('dist/src/functions/@(a|b).js'), ['dist/src/functions/a.js', 'dist/src/functions/b.js']);
  });

  it('gives an existing plain path as an absolute path, and a missing one as no match', () => {
    assert.deepEqual(findEntryPoints(app, 'dist/src/index.js'), [file('dist', 'src', 'index.js')]);
    assert.deepEqual(found('out/index.js'), []);
  });

  it('says which pattern, which folder and what the folder holds when nothing matches', () => {
    const inFolder = describeNoMatch(app, 'dist/src/functions/*.mjs');
    assert.ok(inFolder.includes('"dist/src/functions/*.mjs"'), inFolder);
    assert.ok(inFolder.includes('"dist/src/functions" holds: a.js, a.js.map, b.js, nested/.'), inFolder);

    const missingFolder = describeNoMatch(app, 'dist/out/{index.js,functions/*.js}');
    assert.ok(missingFolder.includes('Its folder "dist/out" does not exist; "dist" holds: .hidden/, src/. Did you build the app?'), missingFolder);

    const atRoot = describeNoMatch(app, 'build/*.js');
    assert.ok(atRoot.includes('"." holds: README.md, dist/.'), atRoot);
  });

  it('fails the load of an unbuilt VS Code TypeScript project with that message', async () => {
    const unbuilt = tempDir('worker-unbuilt-');
    fs.writeFileSync(path.join(unbuilt, 'package.json'), JSON.stringify({ main: 'dist/src/{index.js,functions/*.js}' }));
    fs.mkdirSync(path.join(unbuilt, 'src'));
    await assert.rejects(loadApp(unbuilt), {
      name: 'AppLoadError',
      message: `package.json "main" pattern "dist/src/{index.js,functions/*.js}" matches no files in ${unbuilt}. Its folder "dist/src" does not exist; "." holds: package.json, src/. Did you build the app?`,
    });
  });
});
