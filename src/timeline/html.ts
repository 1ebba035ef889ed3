/**
 * The timeline page's shell: panel options and the HTML that loads the webpack bundle
 * (dist/media/timeline.js + .css) under a strict CSP, exactly as media/timeline/README.md prescribes.
 */
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';

export const VIEW_TYPE = 'durable.timeline';

function mediaRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'media');
}

/** Options for a new panel and for one VS Code restores after a reload (the serializer sets them again). */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    // Nothing but the bundle: no workspace files, no remote origins.
    localResourceRoots: [mediaRoot(extensionUri)],
    // Not retained when hidden: the page restores zoom/selection/filter from its own state and asks again (`ready`).
    retainContextWhenHidden: false,
  };
}

/** The page: an empty body but for the script, which builds everything (README § Hosting it). */
export function timelineHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const src = webview.cspSource;
  const script = webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot(extensionUri), 'timeline.js'));
  const css = webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot(extensionUri), 'timeline.css'));
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${src} data:; font-src ${src}; style-src ${src} 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" nonce="${nonce}" href="${css}"><title>Timeline</title></head>
<body><script nonce="${nonce}" src="${script}"></script></body></html>`;
}
