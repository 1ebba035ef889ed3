/** Activation: on the workspace's host.json, cheap, every contributed command registered. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, extensionApi } from './helpers';

suite('activation', () => {
  test('activates on a workspace with host.json and stays cheap', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const api = await extensionApi();
    assert.ok(extension.isActive);
    // Issue budget: 200 ms without the emulator start (benchmark figure; the assert leaves room for slow CI).
    console.log(`    activation took ${api.activationMs.toFixed(1)} ms`);
    assert.ok(api.activationMs < 1000, `activation took ${api.activationMs} ms`);
    assert.equal(api.session.currentState, 'stopped', 'activation must not start the emulator by itself');
  });

  test('registers every command the manifest contributes', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const manifest = JSON.parse(fs.readFileSync(path.join(extension.extensionPath, 'package.json'), 'utf8'));
    const contributed: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
    for (const c of manifest.contributes.commands) assert.equal(c.category, 'Durable', `${c.command} category`);
  });

  test('the views exist and the Instances view starts empty (welcome content shows)', async () => {
    const api = await extensionApi();
    assert.deepEqual(await api.instances.getChildren(), []);
    assert.deepEqual(api.functions.getChildren(), []);
  });
});
