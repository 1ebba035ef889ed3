/**
 * "Show Instance": a read-only JSON document with an instance's details and the start of its
 * history. A stand-in until the timeline webview (a later issue) takes over the click on an instance.
 */
import * as vscode from 'vscode';
import type { EmulatorSession } from '../emulator/session';
import { registerCommand } from '../errors';
import { instanceArg } from '../commands/prompts';

export const SCHEME = 'durable-instance';
const HISTORY_LIMIT = 1000;

class InstanceDocumentProvider implements vscode.TextDocumentContentProvider {
  private readonly changes = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changes.event;
  constructor(private readonly session: EmulatorSession) {}

  /** Documents stay cached while open: showing one again re-reads the instance. */
  reload(uri: vscode.Uri): void {
    this.changes.fire(uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const instanceId = decodeURIComponent(uri.path.replace(/^\//, '').replace(/\.json$/, ''));
    const [detail, history] = await Promise.all([
      this.session.request('instances.get', { instanceId }),
      this.session.request('instances.history', { instanceId, limit: HISTORY_LIMIT }),
    ]);
    const shown = history.total > history.events.length ? `first ${history.events.length} of ${history.total}` : history.total;
    return JSON.stringify({ ...detail, history: { events: shown, entries: history.events } }, null, 2);
  }
}

export function registerInstanceDocument(session: EmulatorSession): vscode.Disposable[] {
  const provider = new InstanceDocumentProvider(session);
  return [
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, provider),
    registerCommand('durable.showInstance', async (arg?: unknown) => {
      const instanceId = await instanceArg(session, arg, undefined, 'Durable: Show Instance');
      const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${encodeURIComponent(instanceId)}.json` });
      if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) provider.reload(uri);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: true, preserveFocus: true });
    }),
  ];
}
