// @ts-check
/**
 * The arrows between the parts (docs/architecture.md § Dependencies), checked by dependency-cruiser in
 * `npm test` (`npm run lint:deps`). Type-only imports count: an arrow is an arrow.
 */
'use strict';

/** `vscode` exists only inside an extension host; TypeScript resolves it to its types. */
const VSCODE = '^vscode$|node_modules/@types/vscode/';

/** Node built-ins that do I/O: none of them in the engine. */
const IO_MODULES = '^(node:)?(fs|fs/promises|net|http|https|http2|tls|dgram|dns|child_process|cluster|worker_threads|readline|process)$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'extension-only-protocol-and-client',
      comment: 'The extension (src/) uses the emulator only through emulator/protocol and emulator/client, and never imports the webview or the tests.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(emulator/(?!protocol/|client/)|media/|test/|bench/|samples/)' },
    },
    {
      name: 'client-only-protocol',
      comment: 'emulator/client (used by the extension, the tests and the benchmarks) depends on emulator/protocol alone, and not on vscode.',
      severity: 'error',
      from: { path: '^emulator/client/' },
      to: { path: ['^(emulator/(?!protocol/|client/)|src/|media/|test/|bench/)', VSCODE] },
    },
    {
      name: 'protocol-self-contained',
      comment: 'emulator/protocol is types and pure functions that the extension, the page, the host and the worker share: it imports nothing else, not even Node.',
      severity: 'error',
      from: { path: '^emulator/protocol/' },
      to: { pathNot: '^emulator/protocol/' },
    },
    {
      name: 'webview-only-protocol',
      comment: 'The webview page (media/) runs in a browser: its own files and emulator/protocol, nothing else.',
      severity: 'error',
      from: { path: '^media/' },
      to: { pathNot: '^(media/|emulator/protocol/)' },
    },
    {
      name: 'worker-only-protocol',
      comment: 'The app worker talks to the host through messages only: emulator/protocol and emulator/shared, never host internals.',
      severity: 'error',
      from: { path: '^emulator/worker/' },
      to: { path: '^(emulator/(?!worker/|protocol/|shared/)|src/|media/|test/|bench/)' },
    },
    {
      name: 'shared-only-protocol',
      comment: 'emulator/shared holds helpers both emulator processes use: it depends on emulator/protocol alone.',
      severity: 'error',
      from: { path: '^emulator/shared/' },
      to: { path: '^(emulator/(?!shared/|protocol/)|src/|media/|test/|bench/)' },
    },
    {
      name: 'host-not-into-worker-or-editor',
      comment: 'The host runs the worker as a process (never imports its code) and knows nothing of the editor, the page or the tests.',
      severity: 'error',
      from: { path: '^emulator/host/' },
      to: { path: ['^(emulator/(worker|client)/|src/|media/|test/|bench/)', VSCODE] },
    },
    {
      name: 'engine-no-io',
      comment: 'The engine is pure (history in, decisions out): no I/O modules, no sql.js or ws, and of the host only the storage row types.',
      severity: 'error',
      from: { path: '^emulator/host/engine/' },
      to: {
        path: ['^emulator/host/(?!engine/|storage/store\\.ts$)', '^emulator/(worker|client|shared)/', 'node_modules/'],
      },
    },
    {
      name: 'engine-no-io-builtins',
      comment: 'The engine is pure: no Node module that does I/O.',
      severity: 'error',
      from: { path: '^emulator/host/engine/' },
      to: { dependencyTypes: ['core'], path: IO_MODULES },
    },
    {
      name: 'vscode-only-in-extension',
      comment: 'Only the extension and its tests may import vscode.',
      severity: 'error',
      from: { pathNot: '^(src/|test/extension/|test/vscode/)' },
      to: { path: VSCODE },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing cannot be checked.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^(vscode|@azure/functions-core)$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(out|dist|samples|test/fixtures)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
