/**
 * `--watch`: reload the worker when the app's compiled output or configuration changes. A file
 * rewritten with the same content (a compiler in watch mode re-emitting everything on start) is not a
 * change, so its contents are remembered by hash.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const IGNORED = /(^|[\\/])(node_modules|\.git|\.durable-emulator)([\\/]|$)/;
const WATCHED = /\.(c|m)?js$|\.json$/;
const DEBOUNCE_MS = 300;

function hashOf(file: string): string | null {
  try {
    return createHash('sha1').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return null; // deleted (or not readable yet): a change if it was there before
  }
}

/** Paths relative to `root` of the files under it, not descending into folders that `skip`. */
function filesUnder(root: string, rel: string, skip: (rel: string) => boolean): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const name = rel ? path.join(rel, entry.name) : entry.name;
    if (entry.isDirectory()) {
      if (!skip(name)) files.push(...filesUnder(root, name, skip));
    } else files.push(name);
  }
  return files;
}

/** Calls `onChange` (debounced) when a watched file in the app folder changes content, appears or goes. */
export function watchApp(appDir: string, dataDir: string, onChange: (file: string) => void): () => void {
  const dataRel = path.relative(appDir, dataDir);
  const inData = (name: string) => dataRel !== '' && !dataRel.startsWith('..') && name.startsWith(dataRel);
  const watched = (name: string) => !IGNORED.test(name) && WATCHED.test(name) && !inData(name);
  const hashes = new Map<string, string | null>();
  for (const name of filesUnder(appDir, '', (dir) => IGNORED.test(dir) || inData(dir))) {
    if (watched(name)) hashes.set(name, hashOf(path.join(appDir, name)));
  }
  const dirty = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  const settle = () => {
    timer = null;
    let changed: string | undefined;
    for (const name of dirty) {
      const hash = hashOf(path.join(appDir, name));
      if (hash !== (hashes.get(name) ?? null)) changed = name;
      hashes.set(name, hash);
    }
    dirty.clear();
    if (changed) onChange(changed);
  };
  const watcher = fs.watch(appDir, { recursive: true }, (_event, file) => {
    const name = file?.toString();
    if (!name || !watched(name)) return;
    dirty.add(name);
    if (timer) clearTimeout(timer);
    timer = setTimeout(settle, DEBOUNCE_MS);
  });
  return () => {
    if (timer) clearTimeout(timer);
    watcher.close();
  };
}
