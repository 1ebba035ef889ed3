/**
 * Throw-away copies of fixture apps. They live under test/fixtures/.tmp/ (git-ignored by the .gitignore
 * written there) so that `require('durable-functions')` in the copy still resolves from the repository's
 * node_modules, which a copy in the OS temp folder could not do.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES } from './emulatorProcess';

export const FIXTURE_TMP = path.join(FIXTURES, '..', '.tmp');

const copies = new Set<string>();
const SKIPPED = new Set(['node_modules', 'dist', '.durable-emulator']);

/** Copies test/fixtures/apps/<name> into a fresh folder under test/fixtures/.tmp/ and returns its path. */
export function copyFixtureApp(name: string): string {
  fs.mkdirSync(FIXTURE_TMP, { recursive: true });
  const ignore = path.join(FIXTURE_TMP, '.gitignore');
  if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '*\n');
  const dir = fs.mkdtempSync(path.join(FIXTURE_TMP, `${name}-`));
  fs.cpSync(path.join(FIXTURES, name), dir, {
    recursive: true,
    filter: (source) => !SKIPPED.has(path.basename(source)),
  });
  copies.add(dir);
  return dir;
}

/** Removes one copy (or all of them). Call after the emulator using it has stopped. */
export function removeAppCopies(dir?: string): void {
  for (const copy of dir ? [dir] : [...copies]) {
    fs.rmSync(copy, { recursive: true, force: true });
    copies.delete(copy);
  }
}

/** Rewrites a JSON file of a copy (host.json, package.json) through `edit`. */
export function editJson(file: string, edit: (json: any) => void): void {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(json);
  fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
}
