/** The status bar item: the emulator's state at a glance; a click offers what makes sense in that state. */
import * as vscode from 'vscode';
import type { EmulatorSession, EmulatorState } from './session';

const LOOK: Record<EmulatorState, [string, string | undefined]> = {
  stopped: ['$(circle-outline) Durable', undefined],
  starting: ['$(loading~spin) Durable: starting', undefined],
  running: ['$(zap) Durable', undefined],
  stopping: ['$(loading~spin) Durable: stopping', undefined],
  crashed: ['$(error) Durable: crashed', 'statusBarItem.errorBackground'],
};

export class EmulatorStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('durable.emulator', vscode.StatusBarAlignment.Left, 10);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly session: EmulatorSession) {
    this.item.name = 'Durable Functions Emulator';
    this.item.command = 'durable.emulatorMenu';
    this.subscription = session.onDidChangeState(() => this.update());
    this.update();
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }

  private update(): void {
    const state = this.session.currentState;
    const [text, background] = LOOK[state];
    const c = this.session.connection;
    this.item.text = state === 'running' && c ? `${text} :${new URL(c.http).port}` : text;
    this.item.backgroundColor = background ? new vscode.ThemeColor(background) : undefined;
    const tip = new vscode.MarkdownString(`**Durable Functions emulator**: ${state}`);
    if (state === 'running' && c) {
      tip.appendMarkdown(`  \nApp: \`${c.appDir}\`  \nData: \`${c.dataDir}\`  \nHTTP: ${c.http}  \npid ${c.pid}${c.attached ? ' (attached)' : ''}`);
    }
    tip.appendMarkdown('\n\nClick for actions.');
    this.item.tooltip = tip;
  }
}

/** The status bar item's click: a short menu of the actions for the current state. */
export async function emulatorMenu(session: EmulatorSession): Promise<void> {
  const running = session.currentState === 'running';
  const items: Array<vscode.QuickPickItem & { command: string }> = running
    ? [
        { label: '$(play) Start Orchestration…', command: 'durable.startOrchestration' },
        { label: '$(debug-restart) Restart Emulator', command: 'durable.restartEmulator' },
        { label: '$(debug-stop) Stop Emulator', command: 'durable.stopEmulator' },
        { label: '$(output) Show Logs', command: 'durable.showLogs' },
      ]
    : [
        { label: '$(play) Start Emulator', command: 'durable.startEmulator' },
        { label: '$(output) Show Logs', command: 'durable.showLogs' },
      ];
  const picked = await vscode.window.showQuickPick(items, { title: `Durable Functions emulator: ${session.currentState}` });
  if (picked) await vscode.commands.executeCommand(picked.command);
}
