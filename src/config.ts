/**
 * Settings (`durableEmulator.*`) and the choice of the app folder: the setting when given, else the
 * workspace folder holding host.json, else a pick among several (remembered per workspace).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const SECTION = 'durableEmulator';
const PICKED_APP_KEY = 'durable.pickedAppFolder';

export interface Settings {
  port: number;
  dataFolder: string;
  appFolder: string;
  nodePath: string;
  autoStart: boolean;
  inspect: boolean;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    port: c.get<number>('port', 7071),
    dataFolder: c.get<string>('dataFolder', '').trim(),
    appFolder: c.get<string>('appFolder', '').trim(),
    nodePath: c.get<string>('nodePath', 'node').trim() || 'node',
    autoStart: c.get<boolean>('autoStart', false),
    inspect: c.get<boolean>('inspect', false),
  };
}

/** `<app>/.durable-emulator` unless the setting names another folder (relative to the app folder). */
export function dataFolderFor(appDir: string, settings: Settings): string {
  if (!settings.dataFolder) return path.join(appDir, '.durable-emulator');
  return path.resolve(appDir, expandVariables(settings.dataFolder));
}

function expandVariables(value: string): string {
  const first = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  return value.replace(/\$\{workspaceFolder\}/g, first).replace(/^~(?=$|[\\/])/, process.env.HOME ?? '~');
}

const hasHostJson = (dir: string) => fs.existsSync(path.join(dir, 'host.json'));

/**
 * The app folder to run. Undefined when the user cancels the pick or there is no app at all
 * (`notify` then explains). `explicit` (from a command argument) wins over everything.
 */
export async function resolveAppFolder(
  state: vscode.Memento,
  explicit?: string,
  forcePick = false,
): Promise<string | undefined> {
  if (explicit) return path.resolve(explicit);
  const settings = readSettings();
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (settings.appFolder && !forcePick) {
    const value = expandVariables(settings.appFolder);
    return path.isAbsolute(value) || folders.length === 0 ? path.resolve(value) : path.resolve(folders[0].uri.fsPath, value);
  }
  let candidates = folders.map((f) => f.uri.fsPath).filter(hasHostJson);
  if (candidates.length === 0) {
    // host.json deeper in the tree (an app inside a monorepo): a bounded search, node_modules excluded.
    const found = await vscode.workspace.findFiles('**/host.json', '**/node_modules/**', 20);
    candidates = [...new Set(found.map((uri) => path.dirname(uri.fsPath)))].sort();
  }
  if (candidates.length === 0) {
    void vscode.window.showErrorMessage('No Durable Functions app found: no host.json in this workspace. Set durableEmulator.appFolder.');
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  const remembered = state.get<string>(PICKED_APP_KEY);
  if (!forcePick && remembered && candidates.includes(remembered)) return remembered;
  const picked = await vscode.window.showQuickPick(
    candidates.map((dir) => ({ label: path.basename(dir), description: vscode.workspace.asRelativePath(dir), dir })),
    { title: 'Durable: which Functions app should the emulator run?', placeHolder: 'Folders with a host.json' },
  );
  if (!picked) return undefined;
  await state.update(PICKED_APP_KEY, picked.dir);
  return picked.dir;
}
