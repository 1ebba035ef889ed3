/**
 * Durable: Start Orchestration. Pick an orchestrator (or get it from the Functions view / arguments),
 * a JSON input (validated as typed; the last inputs per orchestrator are offered again), an optional
 * instance id. Callers may pass `{ name, input, instanceId }` to skip every prompt.
 */
import * as vscode from 'vscode';
import type { InstanceSummary } from '../../emulator/protocol/control';
import type { EmulatorSession } from '../emulator/session';
import { Cancelled } from '../errors';
import type { FunctionTreeNode } from '../functions/functionsTree';
import { isOptions, promptJson, promptText, validateInstanceId } from './prompts';

const HISTORY_KEY = 'durable.lastInputs';
const HISTORY_SIZE = 5;

export interface StartArgs {
  name?: string;
  input?: unknown;
  instanceId?: string;
}

export async function startOrchestration(session: EmulatorSession, state: vscode.Memento, arg?: StartArgs | FunctionTreeNode): Promise<InstanceSummary | undefined> {
  if (!session.isRunning) {
    const choice = await vscode.window.showWarningMessage('The Durable Functions emulator is not running.', 'Start Emulator');
    if (!choice || !(await session.start())) return undefined;
  }
  const options: StartArgs = isOptions(arg) ? (arg as StartArgs) : {};
  const node = arg as FunctionTreeNode | undefined;
  const fromTree = node && !isOptions(node) && node.kind === 'function' ? node.info.name : undefined;
  const name = options.name ?? fromTree ?? (await pickOrchestrator(session));
  let input = options.input;
  let instanceId = options.instanceId;
  let inputText: string | undefined;
  if (!isOptions(arg)) {
    const chosen = await promptInput(state, name);
    input = chosen.value;
    inputText = chosen.text;
    instanceId =
      (await promptText({
        title: `Start ${name}: instance id`,
        prompt: 'Instance id (leave empty for a new GUID)',
        validateInput: validateInstanceId,
      })) || undefined;
  } else if (options.input !== undefined) {
    inputText = JSON.stringify(options.input);
  }
  const summary = await session.request('instances.start', { name, input, instanceId });
  // Remembered once the start is accepted (and not on the way to it: a Memento write is a round trip).
  if (inputText !== undefined) void remember(state, name, inputText);
  // The Instances view shows it at once; a toast per start would only pile up.
  vscode.window.setStatusBarMessage(`$(play) Started ${summary.name} as ${summary.instanceId}`, 5000);
  return summary;
}

async function pickOrchestrator(session: EmulatorSession): Promise<string> {
  const names = session.functions.filter((f) => f.kind === 'orchestrator').map((f) => f.name).sort();
  if (names.length === 0) throw new Error('The app has no orchestrator functions (is it built and loaded? See the log).');
  const picked = await vscode.window.showQuickPick(names, { title: 'Durable: Start Orchestration', placeHolder: 'Orchestrator' });
  if (!picked) throw new Cancelled();
  return picked;
}

/** The recent inputs of this orchestrator to pick from (then edit), or straight to an empty box. */
async function promptInput(state: vscode.Memento, name: string): Promise<{ text: string; value: unknown }> {
  const recent = state.get<Record<string, string[]>>(HISTORY_KEY, {})[name] ?? [];
  let initial = '';
  if (recent.length) {
    const items: Array<vscode.QuickPickItem & { text: string }> = [
      ...recent.map((text) => ({ label: text || '(no input)', description: 'recent', text })),
      { label: '$(edit) New input…', text: '' },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: `Start ${name}: recent inputs`, placeHolder: 'A recent input to edit, or a new one' });
    if (!picked) throw new Cancelled();
    initial = picked.text;
  }
  return promptJson(`Start ${name}: input`, initial, 'JSON input for the orchestrator (leave empty for none)');
}

async function remember(state: vscode.Memento, name: string, text: string): Promise<void> {
  const all = { ...state.get<Record<string, string[]>>(HISTORY_KEY, {}) };
  all[name] = [text, ...(all[name] ?? []).filter((t) => t !== text)].slice(0, HISTORY_SIZE);
  await state.update(HISTORY_KEY, all);
}
