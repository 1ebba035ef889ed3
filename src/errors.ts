/**
 * Command failures become notifications carrying the emulator's own message; they are also kept for
 * tests, which cannot see notifications.
 */
import * as vscode from 'vscode';

const recent: string[] = [];

/** The user dismissed a prompt: the command ends quietly. */
export class Cancelled extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'Cancelled';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function showError(error: unknown): void {
  const message = errorMessage(error);
  recent.push(message);
  if (recent.length > 20) recent.shift();
  void vscode.window.showErrorMessage(`Durable: ${message}`);
}

/** The last error messages shown, oldest first (for tests). */
export function recentErrors(): readonly string[] {
  return recent;
}

/** Registers a command whose failures are shown rather than thrown (VS Code would add its own generic toast). */
export function registerCommand(id: string, handler: (...args: any[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (error) {
      if (!(error instanceof Cancelled)) showError(error);
      return undefined;
    }
  });
}
