// @ts-check
/**
 * Bundles for the .vsix (no node_modules inside it):
 *   dist/extension.js            the extension (vscode external)
 *   dist/emulator/host/cli.js    the emulator host, spawned by the extension with the user's node
 *   dist/emulator/host/sql-wasm.wasm   sql.js finds its wasm beside the script that loads it (__dirname)
 *   dist/worker/main.js          the app worker, forked by the host
 *   dist/media/timeline.js|.css  the history timeline webview (media/timeline/README.md): one classic script,
 *                                so the page's CSP needs nothing but a nonce
 * The worker sits where emulator/host/runtime/workerProcess.ts looks for it: `__dirname/../../worker/main.js`,
 * where __dirname is the host bundle's folder (dist/emulator/host) once bundled.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const dist = path.resolve(__dirname, 'dist');

/** ts-loader without type checking (`npm run typecheck:extension` and `tsc -p .` do that). */
function tsRule(extra = {}) {
  return {
    test: /\.ts$/,
    exclude: /node_modules/,
    loader: 'ts-loader',
    options: { transpileOnly: true, configFile: path.resolve(__dirname, 'tsconfig.json'), compilerOptions: { sourceMap: true, ...extra } },
  };
}

/** Copies files into the output as assets (a few lines instead of another dependency). */
class CopyFiles {
  /** @param {Array<[string, string]>} files [from, to relative to output.path] */
  constructor(files) {
    this.files = files;
  }
  /** @param {import('webpack').Compiler} compiler */
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('CopyFiles', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'CopyFiles', stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        for (const [from, to] of this.files) {
          compilation.fileDependencies.add(from);
          compilation.emitAsset(to, new compiler.webpack.sources.RawSource(fs.readFileSync(from)));
        }
      });
    });
  }
}

/** @type {(env: unknown, argv: { mode?: string }) => import('webpack').Configuration[]} */
module.exports = (_env, argv) => {
  const production = argv.mode === 'production';
  /** @type {import('webpack').Configuration} */
  const common = {
    target: 'node20',
    mode: production ? 'production' : 'development',
    devtool: production ? false : 'source-map',
    // Keep Node's own __dirname: sql.js and the worker path are resolved from the bundle's folder.
    node: { __dirname: false, __filename: false },
    resolve: { extensions: ['.ts', '.js'] },
    output: { path: dist, filename: '[name].js', libraryTarget: 'commonjs2', devtoolModuleFilenameTemplate: '../[resource-path]' },
    // ws's optional native speed-ups: absent is fine, ws falls back to JavaScript.
    externals: { bufferutil: 'commonjs bufferutil', 'utf-8-validate': 'commonjs utf-8-validate' },
    infrastructureLogging: { level: 'warn' },
    performance: { hints: false },
  };

  return [
    {
      ...common,
      name: 'extension',
      entry: { extension: './src/extension.ts' },
      externals: { ...common.externals, vscode: 'commonjs vscode' },
      module: { rules: [tsRule()] },
    },
    {
      ...common,
      name: 'emulator',
      entry: { 'emulator/host/cli': './emulator/host/cli.ts', 'worker/main': './emulator/worker/main.ts' },
      // The emulator's stack traces and error names should stay readable for users' bug reports.
      optimization: { minimize: false },
      module: {
        // sql.js sets `module = undefined` and later tests `typeof module`, which webpack would fold to a
        // constant: include it verbatim (its require()s are Node built-ins).
        noParse: /sql\.js[\\/]dist[\\/]sql-wasm\.js$/,
        rules: [
          // The app loader require()s the user's files by absolute path at run time: compile it to an ES
          // module and leave its `require` alone, so that it stays Node's require instead of a webpack context.
          { ...tsRule({ module: 'es2022' }), test: /emulator[\\/]worker[\\/]loader\.ts$/, parser: { commonjs: false } },
          { ...tsRule(), exclude: [/node_modules/, /emulator[\\/]worker[\\/]loader\.ts$/] },
        ],
      },
      plugins: [new CopyFiles([[require.resolve('sql.js/dist/sql-wasm.wasm'), 'emulator/host/sql-wasm.wasm']])],
    },
    {
      name: 'webview-timeline',
      target: 'web',
      mode: production ? 'production' : 'development',
      devtool: production ? false : 'source-map',
      entry: { 'media/timeline': './media/timeline/main.ts' },
      output: { path: dist, filename: '[name].js' },
      // The page's sources import './x.js' (browser ES modules): webpack finds the .ts files.
      resolve: { extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } },
      module: {
        rules: [
          {
            test: /\.ts$/,
            exclude: /node_modules/,
            loader: 'ts-loader',
            options: { transpileOnly: true, configFile: path.resolve(__dirname, 'media/tsconfig.json') },
          },
        ],
      },
      plugins: [new CopyFiles([[path.resolve(__dirname, 'media/timeline/timeline.css'), 'media/timeline.css']])],
      infrastructureLogging: { level: 'warn' },
      performance: { hints: false },
    },
  ];
};
