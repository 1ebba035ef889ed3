/**
 * Expands package.json `main`, which the Functions Node worker accepts as a file or a glob
 * (e.g. `dist/src/functions/*.js`). Supports `*`, `?` and `**` segments, enough for real apps'
 * entry points, without a glob dependency.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const GLOB_CHARS = /[*?]/;
/** Folders a `**` never descends into: dependencies and hidden folders are never entry points. */
const SKIPPED_DIRS = new Set(['node_modules']);

/** Absolute paths the pattern names, sorted; a plain path is returned as is, even if missing. */
export function expandEntryPoints(appDir: string, pattern: string): string[] {
  const normalized = pattern.replace(/\\/g, '/').replace(/^\.\//, '');
  if (!GLOB_CHARS.test(normalized)) {
    return [path.resolve(appDir, normalized)];
  }
  const segments = normalized.split('/').filter((s) => s !== '' && s !== '.');
  const found = new Set<string>();
  walk(path.resolve(appDir), segments, 0, found);
  return [...found].sort();
}

function walk(dir: string, segments: string[], index: number, found: Set<string>): void {
  const segment = segments[index];
  const isLast = index === segments.length - 1;
  if (segment === '**') {
    if (isLast) {
      collectFiles(dir, found);
      return;
    }
    walk(dir, segments, index + 1, found); // `**` matching zero folders
    for (const entry of readDir(dir)) {
      if (entry.isDirectory() && !isSkipped(entry.name)) {
        walk(path.join(dir, entry.name), segments, index, found);
      }
    }
    return;
  }
  if (!GLOB_CHARS.test(segment)) {
    const next = path.join(dir, segment);
    if (isLast) {
      if (isFile(next)) found.add(next);
    } else {
      walk(next, segments, index + 1, found);
    }
    return;
  }
  const matcher = segmentToRegExp(segment);
  for (const entry of readDir(dir)) {
    if (!matcher.test(entry.name)) continue;
    const next = path.join(dir, entry.name);
    if (isLast) {
      if (isFile(next)) found.add(next);
    } else if (entry.isDirectory() || isDirectory(next)) {
      walk(next, segments, index + 1, found);
    }
  }
}

function collectFiles(dir: string, found: Set<string>): void {
  for (const entry of readDir(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!isSkipped(entry.name)) collectFiles(full, found);
    } else if (isFile(full)) {
      found.add(full);
    }
  }
}

function segmentToRegExp(segment: string): RegExp {
  const body = segment
    .split('')
    .map((ch) => (ch === '*' ? '[^/]*' : ch === '?' ? '[^/]' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  // Like common globs, wildcards do not match hidden names unless the pattern starts with a dot.
  return new RegExp(segment.startsWith('.') ? `^${body}$` : `^(?!\\.)${body}$`);
}

function isSkipped(name: string): boolean {
  return name.startsWith('.') || SKIPPED_DIRS.has(name);
}

function readDir(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isFile(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
}

function isDirectory(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
