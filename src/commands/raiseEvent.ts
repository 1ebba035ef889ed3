/**
 * Durable: Raise Event. Pick a running instance, then an event name (the names it is waiting for,
 * or any typed name), then a JSON payload. `{ instanceId, eventName, data }` skips the prompts.
 */
import * as vscode from 'vscode';
import type { EmulatorSession } from '../emulator/session';
import { Cancelled } from '../errors';
import { ACTIVE_STATUSES, instanceArg, isOptions, promptJson } from './prompts';

export async function raiseEvent(session: EmulatorSession, arg?: unknown): Promise<boolean> {
  const instanceId = await instanceArg(session, arg, ACTIVE_STATUSES, 'Durable: Raise Event: instance');
  const options = isOptions(arg) ? arg : {};
  const eventName = typeof options.eventName === 'string' ? options.eventName : await pickEventName(session, instanceId);
  const data = isOptions(arg) ? options.data : (await promptJson(`Raise ${eventName} on ${instanceId}: payload`)).value;
  await session.request('instances.raiseEvent', { instanceId, eventName, data });
  vscode.window.setStatusBarMessage(`$(mail) Raised ${eventName} on ${instanceId}`, 5000);
  return true;
}

/** A quick pick of the awaited event names that also accepts whatever the user types. */
async function pickEventName(session: EmulatorSession, instanceId: string): Promise<string> {
  const waiting = await session.request('instances.waitingEvents', { instanceId }).then(
    (r) => r.eventNames,
    () => [] as string[],
  );
  const awaited = waiting.map((label) => ({ label, description: 'awaited' }));
  const pick = vscode.window.createQuickPick();
  pick.title = `Raise event on ${instanceId}`;
  pick.placeholder = waiting.length ? 'An event the instance waits for, or type any name' : 'Event name (the instance is not waiting for any yet)';
  pick.items = awaited;
  pick.ignoreFocusOut = true;
  pick.onDidChangeValue((value) => {
    const typed = value.trim();
    pick.items = typed && !waiting.includes(typed) ? [{ label: typed, description: 'custom event' }, ...awaited] : awaited;
  });
  try {
    const name = await new Promise<string | undefined>((resolve) => {
      pick.onDidAccept(() => resolve(pick.selectedItems[0]?.label ?? (pick.value.trim() || undefined)));
      pick.onDidHide(() => resolve(undefined));
      pick.show();
    });
    if (!name) throw new Cancelled();
    return name;
  } finally {
    pick.dispose();
  }
}
