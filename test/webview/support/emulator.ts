/**
 * The emulator CLI on port 0 (scenario fixture app) with a control connection, through the shared launcher
 * and client (emulator/client/): what the extension side does, for fixture capture and the live webview test.
 */
import * as path from 'node:path';
import { ControlClient } from '../../../emulator/client/controlClient';
import { EmulatorProcess } from '../../../emulator/client/emulatorProcess';
import type { ReadyLine } from '../../../emulator/protocol/launch';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const SCENARIO_APP = path.join(ROOT, 'test', 'fixtures', 'apps', 'scenarios');

export interface ConnectedEmulator {
  process: EmulatorProcess;
  ready: ReadyLine;
  control: ControlClient;
  /** Closes the connection, then SIGTERM (the emulator flushes and exits 0). */
  stop(): Promise<void>;
}

export async function startEmulator(dataDir: string): Promise<ConnectedEmulator> {
  const cliPath = path.join(ROOT, 'out', 'emulator', 'host', 'cli.js');
  const { process, ready } = await EmulatorProcess.start({ cliPath, appDir: SCENARIO_APP, dataDir, port: 0, readyTimeoutMs: 60_000 });
  process.on('stderr', (line: string) => console.error(line));
  let control: ControlClient;
  try {
    control = await ControlClient.connect(ready.ws, ready.token);
  } catch (error) {
    await process.stop();
    throw error;
  }
  return {
    process,
    ready,
    control,
    stop: async () => {
      control.close();
      await process.stop(10_000);
    },
  };
}

export async function post(url: string, body?: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? '' : JSON.stringify(body) });
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
