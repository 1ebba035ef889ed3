/**
 * Entry point. Activation only wires things up (views, commands, status bar): no process is started
 * and no file is read synchronously here, so it stays well under the 200 ms budget. The emulator is
 * started on demand, or right after activation when `durableEmulator.autoStart` is on.
 */
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { registerInstanceCommands } from './commands/instanceCommands';
import { raiseEvent } from './commands/raiseEvent';
import { startOrchestration } from './commands/startOrchestration';
import { registerViewCommands } from './commands/viewCommands';
import { readSettings, resolveAppFolder } from './config';
import { EmulatorSession, type StartOptions } from './emulator/session';
import { emulatorMenu, EmulatorStatusBar } from './emulator/statusBar';
import { recentErrors, registerCommand } from './errors';
import { FunctionsTreeProvider } from './functions/functionsTree';
import { InstancesTreeProvider } from './instances/instancesTree';
import { TimelineManager } from './timeline/timelineManager';

/** What activate() returns: the integration tests drive and inspect the extension through it. */
export interface DurableExtensionApi {
  readonly session: EmulatorSession;
  readonly instances: InstancesTreeProvider;
  readonly functions: FunctionsTreeProvider;
  /** The history timeline panels (open, find, the messages they post and receive). */
  readonly timeline: TimelineManager;
  readonly log: vscode.LogOutputChannel;
  /** Error notifications shown by commands, oldest first. */
  recentErrors(): readonly string[];
  /** How long activate() took, in ms. */
  readonly activationMs: number;
}

let session: EmulatorSession | undefined;

export function activate(context: vscode.ExtensionContext): DurableExtensionApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Durable Functions Emulator', { log: true });
  session = new EmulatorSession(context.extensionPath, context.workspaceState, log);
  const s = session;
  const instances = new InstancesTreeProvider(s, context.workspaceState);
  const functions = new FunctionsTreeProvider(s);
  // Also registers the webview serializer, so it must exist during activation (onWebviewPanel:durable.timeline).
  const timeline = new TimelineManager(s, context.extensionUri, log);
  void vscode.commands.executeCommand('setContext', 'durable.emulatorState', 'stopped');

  context.subscriptions.push(
    log,
    s,
    instances,
    functions,
    timeline,
    new EmulatorStatusBar(s),
    instances.createView('durable.instances'),
    vscode.window.createTreeView('durable.functions', { treeDataProvider: functions }),
    registerCommand('durable.startEmulator', (options?: StartOptions) => s.start(typeof options === 'object' && options ? options : {})),
    registerCommand('durable.stopEmulator', () => s.stop()),
    registerCommand('durable.restartEmulator', () => s.restart()),
    registerCommand('durable.showLogs', () => log.show(true)),
    registerCommand('durable.emulatorMenu', () => emulatorMenu(s)),
    registerCommand('durable.selectAppFolder', async () => {
      const dir = await resolveAppFolder(context.workspaceState, undefined, true);
      if (dir && s.currentState === 'running' && s.connection?.appDir !== dir) {
        await s.stop();
        return s.start({ appFolder: dir });
      }
      return dir;
    }),
    registerCommand('durable.startOrchestration', (arg?) => startOrchestration(s, context.workspaceState, arg)),
    registerCommand('durable.raiseEvent', (arg?) => raiseEvent(s, arg)),
    ...registerInstanceCommands(s),
    ...registerViewCommands(s, instances),
  );

  if (readSettings().autoStart) {
    // After activation, never inside it: the start runs a process and may ask for an app folder.
    setTimeout(() => void s.start(), 0);
  }
  const activationMs = performance.now() - started;
  log.debug(`Activated in ${activationMs.toFixed(1)} ms.`);
  return { session: s, instances, functions, timeline, log, recentErrors, activationMs };
}

/** Stops the emulator we started (VS Code waits for the promise); an attached one keeps running. */
export function deactivate(): Promise<void> | undefined {
  return session?.shutdown();
}
