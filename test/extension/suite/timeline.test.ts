/**
 * The history timeline panels in the extension host, against a real emulator, with the real page loaded in
 * the webview (its `ready` and `requestHistory` arrive from the bundled front-end): open from the tree, by id
 * and by `{instanceId}`, one panel per instance, init and paging, live pushes, the page's actions going
 * through the same commands as the tree, drill-down, export, copy, purge, emulator stop/start, the serializer.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EventType } from '../../../emulator/protocol/durable';
import type { FromWebviewMessage, ToWebviewMessage } from '../../../emulator/protocol/timelineWebview';
import type { DurableExtensionApi } from '../../../src/extension';
import type { TimelinePanel } from '../../../src/timeline/timelinePanel';
import { extensionApi, instanceStatus, startEmulator, startOrchestration, uniqueId, waitFor, waitForTreeInstance } from './helpers';

/** Everything a panel posts and receives from now on. */
function record(panel: TimelinePanel): { posted: ToWebviewMessage[]; received: FromWebviewMessage[]; dispose(): void } {
  const posted: ToWebviewMessage[] = [];
  const received: FromWebviewMessage[] = [];
  const subs = [panel.onDidPost((m) => posted.push(m)), panel.onDidReceive((m) => received.push(m))];
  return { posted, received, dispose: () => subs.forEach((s) => s.dispose()) };
}

/** Waits for the `init` the panel sent in answer to its page's `ready` (optionally of a given instance/status). */
function waitForInit(panel: TimelinePanel, instanceId = panel.instanceId, status?: string, timeoutMs = 20_000) {
  return waitFor(`init of ${instanceId}${status ? ` (${status})` : ''}`, () => {
    const init = panel.lastInit;
    return init?.delivered && init.message.instance.instanceId === instanceId && (!status || init.message.instance.runtimeStatus === status) && init.message;
  }, timeoutMs);
}

/**
 * Runs a page action whose command prompts (as from the tree), accepting each prompt's default: the first
 * item of a quick pick (an awaited event name), an input box's value.
 */
async function withPromptsAccepted<T>(action: Promise<T>): Promise<T> {
  let done = false;
  const result = action.finally(() => (done = true));
  while (!done) {
    await new Promise((r) => setTimeout(r, 150));
    if (!done) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  }
  return result;
}

suite('history timeline panels', () => {
  let api: DurableExtensionApi;
  let dataFolder: string;

  suiteSetup(async () => {
    api = await extensionApi();
    await vscode.commands.executeCommand('durable.stopEmulator');
    dataFolder = await startEmulator(api);
  });

  teardown(async () => {
    // Through the workbench (as a user closes tabs): disposing a panel in the middle of its reveal upsets it.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('the panels to close', () => api.timeline.panels().length === 0);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('durable.stopEmulator');
  });

  test('the tree row opens the timeline of a completed instance; the page loads and gets init; opening again reveals it', async () => {
    const id = uniqueId('tl-hello');
    await startOrchestration('Hello', 'Oslo', id);
    const node = await waitForTreeInstance(api, id, 'Completed');
    const click = api.instances.getTreeItem(node).command!;
    assert.equal(click.command, 'durable.showHistory', 'a click on an instance opens its history');
    const clicked = performance.now();
    await vscode.commands.executeCommand(click.command, ...(click.arguments ?? []));

    const panel = api.timeline.find(id)!;
    assert.ok(panel, 'a panel for the instance');
    assert.equal(panel.panel.viewType, 'durable.timeline');
    assert.equal(panel.panel.title, `Hello · ${id}`);
    const html = panel.panel.webview.html;
    const nonce = /script-src 'nonce-([^']+)';/.exec(html)?.[1];
    assert.ok(nonce, 'a nonce-only script-src');
    // Every source is 'none', the nonce, data: (images) or the webview's own resource origin: no unsafe-*, no remote.
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
    const own = new Set(panel.panel.webview.cspSource.split(/\s+/));
    for (const directive of csp.split(';').map((d) => d.trim()).filter(Boolean)) {
      const [name, ...sources] = directive.split(/\s+/);
      for (const source of sources) assert.ok(source === "'none'" || source === `'nonce-${nonce}'` || source === 'data:' || own.has(source), `${name} ${source}`);
    }
    assert.match(csp, /^default-src 'none';/);
    assert.match(html, new RegExp(`<script nonce="${nonce.replace(/[+/=]/g, '\\$&')}" src="[^"]+/dist/media/timeline\\.js"></script></body>`));
    assert.deepEqual(panel.panel.webview.options.localResourceRoots?.map((u) => path.relative(vscode.extensions.getExtension('durable-emulator.durable-functions-emulator')!.extensionPath, u.fsPath)), [path.join('dist', 'media')]);

    const init = await waitForInit(panel, id, 'Completed');
    console.log(`    command → page loaded, ready, init posted: ${(performance.now() - clicked).toFixed(0)} ms`);
    assert.equal(init.history.from, 0);
    assert.equal(init.history.events.length, init.history.total);
    const types = init.history.events.map((e) => e.EventType);
    assert.deepEqual(types.slice(0, 2), [EventType.OrchestratorStarted, EventType.ExecutionStarted], 'the first page starts at the beginning');
    assert.ok(types.includes(EventType.TaskCompleted) && types.includes(EventType.ExecutionCompleted));
    assert.deepEqual(init.instance.output, ['Hello Oslo', 'Hello again']);

    // Another instance gets its own panel; showing the first again (by id, then by {instanceId}) reveals it.
    const other = uniqueId('tl-other');
    await startOrchestration('Hello', 'Bern', other);
    await waitForTreeInstance(api, other, 'Completed');
    const second = performance.now();
    await vscode.commands.executeCommand('durable.showHistory', other);
    await waitFor('the second panel to be active', () => api.timeline.find(other)?.panel.active);
    await waitForInit(api.timeline.find(other)!, other);
    console.log(`    (a second panel) command → init posted: ${(performance.now() - second).toFixed(0)} ms`);
    assert.equal(api.timeline.panels().length, 2);
    await vscode.commands.executeCommand('durable.showHistory', id);
    await waitFor('the first panel to be revealed', () => panel.panel.active);
    // Hidden meanwhile (not retained): its page started over, said `ready` again and got a fresh init.
    await waitFor('init again after being shown again', () => panel.lastInit?.message !== init && panel.lastInit?.delivered);
    await vscode.commands.executeCommand('durable.showHistory', { instanceId: other });
    await waitFor('the second panel to be revealed', () => api.timeline.find(other)!.panel.active);
    assert.equal(api.timeline.panels().length, 2, 'one panel per instance');
    assert.equal(api.timeline.panels().filter((p) => p.instanceId === id).length, 1);
  });

  test('from the palette: Durable: Show History offers the instances (newest first)', async () => {
    const id = uniqueId('tl-palette');
    await startOrchestration('Hello', 'Rio', id);
    await waitForTreeInstance(api, id, 'Completed');
    // The pick's first row is the newest instance: accepting it opens that one.
    assert.equal(await withPromptsAccepted(Promise.resolve(vscode.commands.executeCommand<string>('durable.showHistory'))), id);
    await waitForInit(api.timeline.find(id)!, id, 'Completed');
  });

  test('an unknown instance id opens no panel and says why', async () => {
    const before = api.recentErrors().length;
    await vscode.commands.executeCommand('durable.showHistory', 'no-such-instance');
    assert.equal(api.timeline.find('no-such-instance'), undefined);
    assert.match(api.recentErrors().slice(before).join(' '), /no-such-instance|not found/i);
  });

  test('a big history: init carries the first 5,000 events, the page asks for the rest page by page', async () => {
    const id = uniqueId('tl-fanout');
    await startOrchestration('FanOut', 3000, id);
    await waitFor('the fan-out to complete', async () => (await instanceStatus(api, id)) === 'Completed', 60_000);
    const panel = await api.timeline.open(id);
    const rec = record(panel);
    const init = await waitForInit(panel, id, 'Completed');
    assert.ok(init.history.total > 6000, `total ${init.history.total}`);
    assert.equal(init.history.events.length, 5000, 'one page, not the whole history');
    // The real page read init and asks for what is missing; each answer is one page.
    const pages = await waitFor('the pages the page asks for', () => {
      const pages = rec.posted.filter((m) => m.type === 'historyPage');
      const got = pages.reduce((n, m) => n + (m.type === 'historyPage' ? m.page.events.length : 0), 0);
      return got + 5000 >= init.history.total && pages;
    });
    const asked = rec.received.filter((m) => m.type === 'requestHistory');
    assert.ok(asked.length >= 1 && asked[0].type === 'requestHistory' && asked[0].from === 5000, JSON.stringify(asked));
    for (const m of pages) assert.ok(m.type === 'historyPage' && m.page.events.length <= 5000);
    rec.dispose();
  });

  test('live: a running instance gets history pushes and updates; Raise Event from the page prompts as from the tree', async () => {
    const id = uniqueId('tl-approval');
    await startOrchestration('Approval', undefined, id);
    await waitFor('the instance to wait for Approval', async () =>
      (await api.session.request('instances.waitingEvents', { instanceId: id }).catch(() => ({ eventNames: [] as string[] }))).eventNames.includes('Approval'),
    );
    await vscode.commands.executeCommand('durable.showHistory', { instanceId: id });
    const panel = api.timeline.find(id)!;
    const init = await waitForInit(panel, id, 'Running');
    assert.deepEqual(init.instance.waitingForEvents, ['Approval']);
    const rec = record(panel);

    // The page's button: the command prompts for the event (the awaited one comes first) and the payload.
    await withPromptsAccepted(panel.receive({ type: 'command', name: 'raiseEvent', instanceId: id }));
    await waitFor('the EventRaised push and the completion', () => {
      const appended = rec.posted.flatMap((m) => (m.type === 'historyAppended' && m.instanceId === id ? m.events : []));
      const updated = rec.posted.some((m) => m.type === 'instanceUpdated' && m.instance.runtimeStatus === 'Completed');
      return appended.some((e) => e.EventType === EventType.EventRaised && e.Name === 'Approval') && appended.some((e) => e.EventType === EventType.ExecutionCompleted) && updated;
    });
    assert.equal(await instanceStatus(api, id), 'Completed');
    rec.dispose();
  });

  test("the page's suspend, resume and terminate run the instance commands (terminate's prompt included)", async () => {
    const id = uniqueId('tl-forever');
    await startOrchestration('WaitForever', undefined, id);
    await waitForTreeInstance(api, id, 'Running');
    const panel = await api.timeline.open(id);
    await waitForInit(panel, id);
    const rec = record(panel);
    const updatedTo = (status: string) =>
      waitFor(`instanceUpdated ${status}`, () => rec.posted.some((m) => m.type === 'instanceUpdated' && m.instance.runtimeStatus === status));

    await panel.receive({ type: 'command', name: 'suspend', instanceId: id });
    await updatedTo('Suspended');
    await panel.receive({ type: 'command', name: 'resume', instanceId: id });
    await updatedTo('Running');
    await withPromptsAccepted(panel.receive({ type: 'command', name: 'terminate', instanceId: id }));
    await updatedTo('Terminated');
    const history = await api.session.request('instances.history', { instanceId: id });
    const terminated = history.events.find((e) => e.EventType === EventType.ExecutionTerminated);
    assert.match(String(terminated?.Input), /Terminated from VS Code/, "the prompt's default reason");
    const markers = rec.posted.flatMap((m) => (m.type === 'historyAppended' ? m.events.map((e) => e.EventType) : []));
    for (const t of [EventType.ExecutionSuspended, EventType.ExecutionResumed, EventType.ExecutionTerminated]) assert.ok(markers.includes(t), `pushed ${EventType[t]}`);
    rec.dispose();
  });

  test('openInstance drills into the child in the same panel, and reveals a panel that already shows the target', async () => {
    const parent = uniqueId('tl-parent');
    const child = `${parent}-child`;
    await startOrchestration('Parent', 'Quito', parent);
    await waitFor('the parent to complete', async () => (await instanceStatus(api, parent)) === 'Completed');
    const panel = await api.timeline.open(parent);
    const init = await waitForInit(panel, parent);
    assert.ok(init.history.events.some((e) => e.EventType === EventType.SubOrchestrationInstanceCreated && e.InstanceId === child));

    await panel.receive({ type: 'openInstance', instanceId: child, fromInstanceId: parent, via: 'child' });
    assert.equal(panel.instanceId, child, 'the panel now shows the child');
    const childInit = await waitForInit(panel, child, 'Completed');
    assert.equal(childInit.instance.parentInstanceId, parent);
    assert.equal(panel.panel.title, `Hello · ${child}`);
    assert.equal(api.timeline.find(parent), undefined);
    assert.equal(api.timeline.find(child), panel);

    // The parent in a panel of its own; "back" from the child's panel reveals it instead of switching.
    const parentPanel = await api.timeline.open(parent);
    assert.notEqual(parentPanel, panel);
    await waitForInit(parentPanel, parent);
    panel.reveal();
    await waitFor('the child panel to be active', () => panel.panel.active);
    await panel.receive({ type: 'openInstance', instanceId: parent, via: 'back' });
    await waitFor('the parent panel to be revealed', () => parentPanel.panel.active);
    assert.equal(panel.instanceId, child);
    assert.equal(api.timeline.panels().length, 2);
  });

  test('requestHistory, export (every page), copy, purge (instanceGone) and the serializer', async () => {
    const id = uniqueId('tl-misc');
    await startOrchestration('Hello', 'Lima', id);
    await waitFor('completion', async () => (await instanceStatus(api, id)) === 'Completed');
    const panel = await api.timeline.open(id);
    const init = await waitForInit(panel, id);
    const rec = record(panel);

    await panel.receive({ type: 'requestHistory', instanceId: id, from: 2, limit: 3 });
    const page = rec.posted.find((m) => m.type === 'historyPage');
    assert.ok(page?.type === 'historyPage');
    assert.deepEqual([page.page.from, page.page.events.length, page.page.total], [2, 3, init.history.total]);

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dfe-export-')), 'history.json');
    const dialogs: vscode.SaveDialogOptions[] = [];
    api.timeline.saveDialog = async (options) => (dialogs.push(options), vscode.Uri.file(file));
    try {
      await panel.receive({ type: 'exportHistory', instanceId: id, executionId: init.instance.executionId });
    } finally {
      api.timeline.saveDialog = (options) => vscode.window.showSaveDialog(options);
    }
    assert.match(dialogs[0].defaultUri!.fsPath, new RegExp(`${id}\\.history\\.json$`));
    const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.equal(exported.instance.instanceId, id);
    assert.equal(exported.executionId, init.instance.executionId);
    assert.deepEqual(exported.events, init.history.events);

    await panel.receive({ type: 'copy', text: '{"a": 1}', what: 'input' });
    assert.equal(await vscode.env.clipboard.readText(), '{"a": 1}');

    // What VS Code does after a reload: a bare panel of our type and the state its page saved.
    panel.dispose();
    const bare = vscode.window.createWebviewPanel('durable.timeline', 'restoring', vscode.ViewColumn.Active, {});
    const restored = (await api.timeline.restore(bare, { version: 1, instanceId: id, zoom: { pxPerMs: null, scrollLeft: 0 } }))!;
    assert.equal(restored.instanceId, id);
    assert.equal(restored.panel.webview.options.enableScripts, true);
    await waitForInit(restored, id, 'Completed');
    const rec2 = record(restored);

    await restored.receive({ type: 'command', name: 'purge', instanceId: id });
    await waitFor('instanceGone', () => rec2.posted.some((m) => m.type === 'instanceGone' && m.instanceId === id));
    assert.match(restored.panel.title, /purged/);
    rec.dispose();
    rec2.dispose();
  });

  test('the serializer: a tab that comes back without state is matched by its title; one without either is closed', async () => {
    const id = uniqueId('tl-title');
    await startOrchestration('Hello', 'Accra', id);
    await waitFor('completion', async () => (await instanceStatus(api, id)) === 'Completed');
    const bare = vscode.window.createWebviewPanel('durable.timeline', `Hello · ${id}`, vscode.ViewColumn.Active, {});
    const restored = await api.timeline.restore(bare, undefined);
    assert.equal(restored?.instanceId, id);
    assert.equal(restored!.panel.title, `Hello · ${id}`);
    await waitForInit(restored!, id, 'Completed');
    let closed = false;
    const stray = vscode.window.createWebviewPanel('durable.timeline', 'Timeline', vscode.ViewColumn.Active, { enableScripts: true });
    stray.onDidDispose(() => (closed = true));
    // Loaded, as a tab VS Code restores is (closing one the workbench is still opening upsets the workbench).
    const loaded = new Promise((resolve) => stray.webview.onDidReceiveMessage(resolve));
    stray.webview.html = '<!DOCTYPE html><body><script>acquireVsCodeApi().postMessage("loaded")</script></body>';
    await loaded;
    assert.equal(await api.timeline.restore(stray, undefined), undefined);
    assert.ok(closed);
  });

  test('the emulator stopping and coming back: a connection banner, then init again from the new connection', async () => {
    const id = uniqueId('tl-conn');
    await startOrchestration('Hello', 'Kyiv', id);
    await waitFor('completion', async () => (await instanceStatus(api, id)) === 'Completed');
    const panel = await api.timeline.open(id);
    const first = await waitForInit(panel, id);
    const rec = record(panel);
    await vscode.commands.executeCommand('durable.stopEmulator');
    await waitFor('the connection message', () => rec.posted.some((m) => m.type === 'connection' && !m.connected));
    await startEmulator(api, dataFolder);
    await waitFor('init again', () => panel.lastInit && panel.lastInit.message !== first && panel.lastInit.delivered);
    assert.equal(panel.lastInit!.message.instance.runtimeStatus, 'Completed');
    rec.dispose();
  });
});
