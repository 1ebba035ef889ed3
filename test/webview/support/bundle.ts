/**
 * Bundles the timeline front-end with the production configuration of webpack.config.js (its
 * `webview-timeline` build: one classic script, so a nonce-only `script-src` suffices) into a temporary
 * folder instead of dist/. Returns that folder; the page is `media/timeline.js` in it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Configuration, Stats } from 'webpack';
import { ROOT } from './server';

type ConfigFactory = (env: unknown, argv: { mode?: string }) => Configuration[];

export async function bundleTimeline(): Promise<string> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-bundle-'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const configs = (require(path.join(ROOT, 'webpack.config.js')) as ConfigFactory)(undefined, { mode: 'production' });
  const timeline = configs.find((c) => c.name === 'webview-timeline');
  if (!timeline) throw new Error('webpack.config.js has no webview-timeline build');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const webpack = require('webpack') as (config: Configuration, cb: (err: Error | null, stats?: Stats) => void) => void;
  await new Promise<void>((resolve, reject) =>
    webpack({ ...timeline, context: ROOT, output: { ...timeline.output, path: outDir }, infrastructureLogging: { level: 'warn' } }, (err, stats) => {
      if (err) return reject(err);
      if (stats?.hasErrors()) return reject(new Error(stats.toString({ all: false, errors: true })));
      resolve();
    }),
  );
  return outDir;
}
