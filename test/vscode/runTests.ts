/**
 * Runs an extension's integration tests with @vscode/test-electron's runTests, unchanged, pointed at the
 * code-runner script (code-server's real extension host in headless Chromium) instead of a downloaded VS Code.
 *
 *   node out/test/vscode/runTests.js --extensionDevelopmentPath DIR --extensionTestsPath INDEX [--workspace DIR]
 *
 * Defaults: the repository root as the extension, out/test/extension/index.js as the tests index, and a fresh
 * empty temp folder as the workspace. Set VSCODE_EXECUTABLE to use a desktop VS Code instead of the runner.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests, TestRunFailedError } from '@vscode/test-electron';

export const REPO = path.resolve(__dirname, '..', '..', '..');
/** The executable stand-in for VS Code (kept in the source tree: it is not compiled). */
export const CODE_RUNNER = path.join(REPO, 'test', 'vscode', 'code-runner');

export interface RunVSCodeTestsOptions {
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
  /** Folder to open; launchArgs: [workspace]. */
  workspace?: string;
  /** Environment for the extension host. */
  extensionTestsEnv?: Record<string, string | undefined>;
  /** Defaults to VSCODE_EXECUTABLE or the code-runner. */
  vscodeExecutablePath?: string;
}

/** Resolves with the exit code (0 = all tests passed); never rejects for a failed test run. */
export async function runVSCodeTests(options: RunVSCodeTestsOptions): Promise<number> {
  try {
    return await runTests({
      vscodeExecutablePath: options.vscodeExecutablePath ?? process.env.VSCODE_EXECUTABLE ?? CODE_RUNNER,
      extensionDevelopmentPath: path.resolve(options.extensionDevelopmentPath),
      extensionTestsPath: path.resolve(options.extensionTestsPath),
      launchArgs: options.workspace ? [path.resolve(options.workspace)] : [],
      extensionTestsEnv: options.extensionTestsEnv,
      // The runner makes a fresh profile per run; don't let runTests add ./.vscode-test profile folders.
      reuseMachineInstall: true,
    });
  } catch (err) {
    if (err instanceof TestRunFailedError) return err.code ?? 1;
    throw err;
  }
}

function argValue(argv: string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1];
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const extensionDevelopmentPath = argValue(argv, '--extensionDevelopmentPath') ?? REPO;
  const extensionTestsPath = argValue(argv, '--extensionTestsPath') ?? path.join(REPO, 'out', 'test', 'extension', 'index.js');
  let workspace = argValue(argv, '--workspace');
  let tempWorkspace: string | undefined;
  if (!workspace) workspace = tempWorkspace = fs.mkdtempSync(path.join(os.tmpdir(), 'dfe-test-workspace-'));
  try {
    return await runVSCodeTests({ extensionDevelopmentPath, extensionTestsPath, workspace });
  } finally {
    if (tempWorkspace) fs.rmSync(tempWorkspace, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`[runTests] ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
