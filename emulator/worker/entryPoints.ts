/**
 * Expands package.json `main` into the files to load, as the Azure Functions Node worker does: it passes
 * `main` to globby (over fast-glob) with the app folder as cwd, so a plain path, `*`, `**`, `?`, braces
 * (`dist/src/{index.js,functions/*.js}`) and extglobs all work, and a missing plain file matches nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import fg from 'fast-glob';

/** How many entries of a folder an error message lists. */
const LISTED_ENTRIES = 12;

/** Absolute paths of the files `pattern` matches in `appDir`, in the order the worker loads them. */
export function findEntryPoints(appDir: string, pattern: string): string[] {
  return fg.sync(pattern, { cwd: appDir }).map((file) => path.join(appDir, file));
}

/**
 * Why `pattern` matched nothing: the nearest existing folder its static part names, and what that folder
 * holds, so a user sees at once whether the build went elsewhere or did not run.
 */
export function describeNoMatch(appDir: string, pattern: string): string {
  const base = fg.generateTasks([pattern])[0]?.base ?? '.';
  let folder = path.resolve(appDir, base);
  while (!isDirectory(folder) && folder.startsWith(appDir + path.sep)) {
    folder = path.dirname(folder);
  }
  if (!isDirectory(folder)) folder = appDir;
  const shown = path.relative(appDir, folder) || '.';
  const intro = `package.json "main" pattern "${pattern}" matches no files in ${appDir}.`;
  if (path.resolve(appDir, base) !== folder) {
    return `${intro} Its folder "${base}" does not exist; "${shown}" holds: ${listFolder(folder)}. Did you build the app?`;
  }
  return `${intro} "${shown}" holds: ${listFolder(folder)}.`;
}

function listFolder(folder: string): string {
  const entries = fs
    .readdirSync(folder, { withFileTypes: true })
    .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name))
    .sort();
  if (entries.length === 0) return '(nothing)';
  const more = entries.length > LISTED_ENTRIES ? `, … (${entries.length - LISTED_ENTRIES} more)` : '';
  return entries.slice(0, LISTED_ENTRIES).join(', ') + more;
}

function isDirectory(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
