/**
 * Loads the user's app as the Functions Node worker does: every file package.json `main` names, with
 * require() for CommonJS and import() for ES modules. Loading the files is what registers the functions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeNoMatch, findEntryPoints } from './entryPoints';

export class AppLoadError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly causeStack?: string,
  ) {
    super(message);
    this.name = 'AppLoadError';
  }
}

interface AppPackageJson {
  main?: unknown;
  type?: unknown;
}

// With "module": "commonjs" tsc rewrites import() into require(), which cannot load ES modules;
// a Function body is left alone, so Node's own import() runs.
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/** Loads every entry point of the app in `appDir`; returns their absolute paths. */
export async function loadApp(appFolder: string): Promise<string[]> {
  const appDir = path.resolve(appFolder);
  const pkg = readPackageJson(appDir);
  if (typeof pkg.main !== 'string' || pkg.main.trim() === '') {
    throw new AppLoadError(
      `${path.join(appDir, 'package.json')} has no "main" naming the app's entry point (a file or a glob such as "dist/src/functions/*.js").`,
    );
  }
  const files = findEntryPoints(appDir, pkg.main);
  if (files.length === 0) {
    throw new AppLoadError(describeNoMatch(appDir, pkg.main));
  }
  for (const file of files) {
    const shown = path.relative(appDir, file) || file;
    try {
      if (isEsModule(file, pkg)) {
        await importModule(pathToFileURL(file).href);
      } else {
        require(file);
      }
    } catch (err) {
      const cause = err instanceof Error ? err : new Error(String(err));
      throw new AppLoadError(`Failed to load "${shown}": ${cause.message}`, file, cause.stack);
    }
  }
  return files;
}

function readPackageJson(appDir: string): AppPackageJson {
  const file = path.join(appDir, 'package.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AppLoadError(`Cannot read ${file}: ${(err as Error).message}`, file);
  }
  try {
    return JSON.parse(text) as AppPackageJson;
  } catch (err) {
    throw new AppLoadError(`${file} is not valid JSON: ${(err as Error).message}`, file);
  }
}

function isEsModule(file: string, pkg: AppPackageJson): boolean {
  const ext = path.extname(file);
  if (ext === '.mjs') return true;
  if (ext === '.cjs') return false;
  return pkg.type === 'module';
}
