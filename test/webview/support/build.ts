/**
 * The browser build of the webview front-end for the tests: the test entry (test/webview/page/main.ts, the page
 * plus its probes) and what it imports (media/, emulator/protocol/timelineWebview.ts) compiled as browser ES
 * modules into a private folder, once per process, so that the tests do not depend on build order or on another
 * build running meanwhile. Returns that folder (the repository's layout: `media/timeline/*.js`, ...).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { ROOT } from './server';

let build: Promise<string> | undefined;

export function browserBuild(): Promise<string> {
  build ??= Promise.resolve().then(() => {
    const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-media-'));
    process.once('exit', () => fs.rmSync(outDir, { recursive: true, force: true }));
    const configFile = path.join(ROOT, 'test', 'webview', 'page', 'tsconfig.json');
    const config = ts.getParsedCommandLineOfConfigFile(configFile, { outDir }, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    });
    if (!config) throw new Error(`cannot read ${configFile}`);
    const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
    const emitted = program.emit();
    const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
    if (diagnostics.length) {
      throw new Error(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' }));
    }
    return outDir;
  });
  return build;
}
