/**
 * Shared prompts: JSON input boxes validated as the user types, the instance picker, and how
 * command arguments (a tree node, an id, or an options object from a test or a keybinding) are read.
 */
import * as vscode from 'vscode';
import type { InstanceSummary } from '../../emulator/protocol/control';
import type { RuntimeStatus } from '../../emulator/protocol/durable';
import type { EmulatorSession } from '../emulator/session';
import { Cancelled } from '../errors';
import { InstanceNode } from '../instances/instanceModel';
import { statusIcon } from '../instances/presentation';

export const ACTIVE_STATUSES: RuntimeStatus[] = ['Running', 'Pending', 'Suspended'];

/** An options object passed by a caller (tests, keybindings) rather than a tree node. */
export function isOptions(arg: unknown): arg is Record<string, unknown> {
  return typeof arg === 'object' && arg !== null && !(arg instanceof InstanceNode) && !('kind' in arg);
}

export function validateJson(text: string): string | undefined {
  if (!text.trim()) return undefined;
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return `Not valid JSON: ${(error as Error).message}`;
  }
}

/** Asks for a JSON value; empty means "no value" (undefined). Throws Cancelled on Escape. */
export async function promptJson(title: string, value = '', prompt = 'JSON (leave empty for none)'): Promise<{ text: string; value: unknown }> {
  const text = await vscode.window.showInputBox({ title, prompt, value, validateInput: validateJson, ignoreFocusOut: true });
  if (text === undefined) throw new Cancelled();
  return { text: text.trim(), value: text.trim() ? JSON.parse(text) : undefined };
}

export async function promptText(options: vscode.InputBoxOptions): Promise<string> {
  const text = await vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
  if (text === undefined) throw new Cancelled();
  return text.trim();
}

/** Instance ids may not contain these (Durable Task rules). */
export function validateInstanceId(id: string): string | undefined {
  if (!id) return undefined;
  if (id.length > 256) return 'At most 256 characters.';
  if (/[\\/#?\u0000-\u001f\u007f]/.test(id)) return "An instance id may not contain '/', '\\', '#', '?' or control characters.";
  return undefined;
}

/**
 * The instance a command acts on: the tree node it was invoked on, an id or `{instanceId}` given by the
 * caller, else a pick among the emulator's instances in `statuses`.
 */
export async function instanceArg(session: EmulatorSession, arg: unknown, statuses: RuntimeStatus[] | undefined, title: string): Promise<string> {
  if (arg instanceof InstanceNode) return arg.summary.instanceId;
  if (typeof arg === 'string' && arg) return arg;
  if (isOptions(arg) && typeof arg.instanceId === 'string') return arg.instanceId;
  const picked = await pickInstance(session, statuses, title);
  return picked.instanceId;
}

export async function pickInstance(session: EmulatorSession, statuses: RuntimeStatus[] | undefined, title: string): Promise<InstanceSummary> {
  const page = await session.request('instances.list', {
    filter: statuses ? { runtimeStatus: statuses } : {},
    orderBy: 'createdTime',
    descending: true,
    pageSize: 200,
  });
  if (page.instances.length === 0) {
    throw new Error(statuses ? `No ${statuses.join(' or ').toLowerCase()} instances.` : 'No instances.');
  }
  const picked = await vscode.window.showQuickPick(
    page.instances.map((s) => ({
      label: `$(${statusIcon(s.runtimeStatus).id}) ${s.instanceId}`,
      description: `${s.name} · ${s.runtimeStatus}`,
      summary: s,
    })),
    { title, placeHolder: page.total > page.instances.length ? `The newest ${page.instances.length} of ${page.total}` : 'Pick an instance', matchOnDescription: true },
  );
  if (!picked) throw new Cancelled();
  return picked.summary;
}
