/**
 * Bundles the timeline front-end with webpack the way the extension's build should (one classic script,
 * so a nonce-only `script-src` suffices), into a temporary folder. The configuration here is the one
 * media/timeline/README.md recommends for webpack.config.js.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './server';

/** The webpack configuration of the webview bundle (`dist/media/timeline.js` in the extension). */
export function timelineWebpackConfig(outDir: string, production = true): Record<string, unknown> {
  return {
    name: 'webview-timeline',
    target: 'web',
    mode: production ? 'production' : 'development',
    devtool: false,
    context: ROOT,
    entry: { timeline: './media/timeline/main.ts' },
    output: { path: outDir, filename: '[name].js' },
    resolve: {
      extensions: ['.ts', '.js'],
      // The sources import './x.js' (browser ES modules); webpack finds the .ts files.
      extensionAlias: { '.js': ['.ts', '.js'] },
    },
    module: {
      rules: [
        {
          test: /\.ts$/,
          exclude: /node_modules/,
          loader: 'ts-loader',
          options: { transpileOnly: true, configFile: path.join(ROOT, 'media', 'tsconfig.json') },
        },
      ],
    },
    performance: { hints: false },
    infrastructureLogging: { level: 'warn' },
  };
}

export async function bundleTimeline(): Promise<string> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-bundle-'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const webpack = require('webpack') as (config: unknown, cb: (err: Error | null, stats?: { hasErrors(): boolean; toString(o: unknown): string }) => void) => void;
  await new Promise<void>((resolve, reject) =>
    webpack(timelineWebpackConfig(outDir), (err, stats) => {
      if (err) return reject(err);
      if (stats?.hasErrors()) return reject(new Error(stats.toString({ all: false, errors: true })));
      resolve();
    }),
  );
  return outDir;
}
