/**
 * Test server for the timeline webview: serves the compiled front-end (support/build.ts), its stylesheet
 * (media/), the harness files, and a page equivalent to what the extension puts in the WebviewPanel:
 * a CSP meta tag with a fresh nonce per page, VS Code's default webview styles, the theme's variables,
 * a fake acquireVsCodeApi, then the page's stylesheet and module script. Loopback, port 0.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { THEMES } from '../harness/themes';
import type { ThemeName } from '../harness/themes';

export const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

/** URL prefix → folder (the compiled front-end is added by startServer). Nothing else is served. */
const MOUNTS: Array<[string, string]> = [
  ['/media/', path.join(ROOT, 'media')],
  ['/harness/', path.join(ROOT, 'test', 'webview', 'harness')],
];

export interface PageOptions {
  theme?: ThemeName;
  /** Serve a single bundled script (from `bundleDir`) under a nonce-only script-src, as a webpack build would be hosted. */
  bundle?: boolean;
}

export interface HarnessServer {
  origin: string;
  pageUrl(options?: PageOptions): string;
  /** A folder to serve under /bundle/ (the webpack bundle test). */
  setBundleDir(dir: string): void;
  close(): Promise<void>;
}

/** The CSP a WebviewPanel host should use; `source` is webview.cspSource. */
export function webviewCsp(nonce: string, source: string, bundled: boolean): string {
  return [
    "default-src 'none'",
    `img-src ${source} data:`,
    `font-src ${source}`,
    `style-src ${source} 'nonce-${nonce}'`,
    // ES modules import their siblings: the resource root must be allowed; one bundled file needs only the nonce.
    bundled ? `script-src 'nonce-${nonce}'` : `script-src 'nonce-${nonce}' ${source}`,
  ].join('; ');
}

function page(origin: string, theme: ThemeName, bundle: boolean): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const themeJson = JSON.stringify(THEMES[theme]).replace(/</g, '\\u003c');
  const script = bundle ? '/bundle/timeline.js' : '/out/test/webview/page/main.js';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${webviewCsp(nonce, origin, bundle)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" nonce="${nonce}" href="/harness/vscode-default.css">
<link rel="stylesheet" nonce="${nonce}" href="/media/timeline/timeline.css">
<title>Timeline</title>
</head>
<body>
<script type="application/json" id="vscode-theme">${themeJson}</script>
<script nonce="${nonce}" src="/harness/fakeVscode.js"></script>
<script ${bundle ? '' : 'type="module" '}nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/** `browserOut`: the compiled front-end (support/build.ts), served as /out/. */
export async function startServer(browserOut: string): Promise<HarnessServer> {
  let origin = '';
  let bundleDir: string | null = null;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/' || url.pathname === '/timeline.html') {
      const theme = (url.searchParams.get('theme') ?? 'dark') as ThemeName;
      if (!THEMES[theme]) {
        res.writeHead(400).end('unknown theme');
        return;
      }
      res.writeHead(200, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' });
      res.end(page(origin, theme, url.searchParams.get('bundle') === '1'));
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const mounts: Array<[string, string]> = [['/out/', browserOut], ...MOUNTS, ...(bundleDir ? [['/bundle/', bundleDir] as [string, string]] : [])];
    for (const [prefix, dir] of mounts) {
      if (!url.pathname.startsWith(prefix)) continue;
      const file = path.resolve(dir, decodeURIComponent(url.pathname.slice(prefix.length)));
      if (!file.startsWith(dir + path.sep)) break;
      fs.readFile(file, (err, data) => {
        if (err) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
        res.end(data);
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    pageUrl: (options = {}) => `${origin}/timeline.html?theme=${options.theme ?? 'dark'}${options.bundle ? '&bundle=1' : ''}`,
    setBundleDir: (dir) => (bundleDir = dir),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
