/**
 * "Export" in the timeline: a save dialog, then every page of one execution's history (the emulator
 * serves at most HISTORY_PAGE_SIZE events per request) written as one JSON file.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { HistoryEvent } from '../../emulator/protocol/durable';
import { HISTORY_PAGE_SIZE } from '../../emulator/protocol/timelineWebview';
import type { EmulatorSession } from '../emulator/session';
import { Cancelled } from '../errors';

export type SaveDialog = (options: vscode.SaveDialogOptions) => Thenable<vscode.Uri | undefined>;

/** Reads the whole history of an execution, page by page. */
export async function readAllHistory(session: EmulatorSession, instanceId: string, executionId: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for (;;) {
    const page = await session.request('instances.history', { instanceId, executionId, from: events.length, limit: HISTORY_PAGE_SIZE });
    events.push(...page.events);
    // An empty page ends it too: never loop on a history that shrank meanwhile.
    if (events.length >= page.total || page.events.length === 0) return events;
  }
}

function defaultUri(instanceId: string, executionId: string, current: boolean): vscode.Uri {
  const safe = instanceId.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_');
  const name = `${safe}${current ? '' : `.${executionId.slice(0, 8)}`}.history.json`;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, name) : vscode.Uri.file(path.join(os.homedir(), name));
}

/** Returns the file written, or throws Cancelled when the dialog was dismissed. */
export async function exportHistory(session: EmulatorSession, instanceId: string, executionId: string, saveDialog: SaveDialog): Promise<vscode.Uri> {
  const instance = await session.request('instances.get', { instanceId });
  const uri = await saveDialog({
    title: `Export the history of ${instanceId}`,
    defaultUri: defaultUri(instanceId, executionId, executionId === instance.executionId),
    filters: { JSON: ['json'] },
    saveLabel: 'Export',
  });
  if (!uri) throw new Cancelled();
  const events = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Exporting the history of ${instanceId}` },
    () => readAllHistory(session, instanceId, executionId),
  );
  const json = JSON.stringify({ exportedAt: new Date().toISOString(), instance, executionId, events }, null, 2);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(json, 'utf8'));
  void vscode.window.showInformationMessage(`Exported ${events.length} history events of ${instanceId} to ${path.basename(uri.fsPath)}.`, 'Open').then((choice) => {
    if (choice) void vscode.window.showTextDocument(uri);
  });
  return uri;
}
