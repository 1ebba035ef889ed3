/**
 * The emulator CLI as a child process on port 0 (scenario fixture app) and a minimal control-protocol
 * client: what the extension side does, for fixture capture and the live end-to-end webview test.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import WebSocket from 'ws';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const SCENARIO_APP = path.join(ROOT, 'test', 'fixtures', 'apps', 'scenarios');

export interface Ready {
  http: string;
  ws: string;
  token: string;
}

export function startEmulator(dataDir: string): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'out', 'emulator', 'host', 'cli.js'), '--app', SCENARIO_APP, '--port', '0', '--data', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('{"event":"ready"')) resolve({ child, ready: JSON.parse(line) as Ready });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
}

export async function post(url: string, body?: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? '' : JSON.stringify(body) });
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Control {
  private nextId = 1;
  private waiting = new Map<number, (msg: any) => void>();
  private pushListeners: Array<(msg: any) => void> = [];
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const msg = JSON.parse(String(data));
      if (msg.type === 'response') this.waiting.get(msg.id)?.(msg);
      else if (msg.type === 'push') for (const l of this.pushListeners) l(msg);
    });
  }
  /** Pushed notifications (after `subscribe`). */
  onPush(listener: (msg: any) => void): void {
    this.pushListeners.push(listener);
  }
  static open(ready: Ready): Promise<Control> {
    const socket = new WebSocket(`${ready.ws}?token=${ready.token}`);
    return new Promise((resolve, reject) => {
      socket.once('message', () => resolve(new Control(socket)));
      socket.once('error', reject);
    });
  }
  call<T>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ type: 'request', id, method, params }));
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (msg) => {
        this.waiting.delete(id);
        if (msg.ok) resolve(msg.result as T);
        else reject(new Error(`${method}: ${msg.error.code} ${msg.error.message}`));
      });
    });
  }
  close(): void {
    this.socket.close();
  }
}


/** SIGTERM and wait for the exit (the emulator flushes and exits 0). */
export async function stopEmulator(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
