/**
 * The one emulator this window works with: starts it as a child process (or attaches to a running one
 * through its discovery file), keeps the control connection, streams logs into the output channel,
 * reports crashes with a Restart action, and re-publishes the host's pushes to the views.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EmulatorStatus, Method, Params, PushMessage, Result } from '../../emulator/protocol/control';
import type { FunctionInfo, LogLevel } from '../../emulator/protocol/worker';
import { dataFolderFor, readSettings, resolveAppFolder } from '../config';
import { ControlClient, ControlError } from '../../emulator/client/controlClient';
import { readDiscovery } from '../../emulator/client/discovery';
import { EmulatorProcess } from '../../emulator/client/emulatorProcess';
import type { Discovery } from '../../emulator/protocol/launch';

export type EmulatorState = 'stopped' | 'starting' | 'running' | 'stopping' | 'crashed';

export interface Connection {
  http: string;
  ws: string;
  dataDir: string;
  appDir: string;
  pid: number;
  /** True when we attached to an emulator somebody else started: we do not own its process. */
  attached: boolean;
}

export interface StartOptions {
  /** App folder; defaults to the setting / workspace. */
  appFolder?: string;
  /** Overrides the port setting (0 = any free port). */
  port?: number;
  dataFolder?: string;
}

export class EmulatorSession implements vscode.Disposable {
  private _state: EmulatorState = 'stopped';
  private _connection: Connection | undefined;
  private _functions: FunctionInfo[] = [];
  private client: ControlClient | undefined;
  private child: EmulatorProcess | undefined;
  private starting: Promise<boolean> | undefined;
  private stopping: Promise<void> | undefined;
  private lastStart: StartOptions = {};
  /** The level of the last CLI log line that had one: its continuation lines (a stack) keep it. */
  private lastLevel: LogLevel = 'information';

  private readonly stateEmitter = new vscode.EventEmitter<EmulatorState>();
  private readonly pushEmitter = new vscode.EventEmitter<PushMessage>();
  private readonly functionsEmitter = new vscode.EventEmitter<FunctionInfo[]>();
  readonly onDidChangeState = this.stateEmitter.event;
  readonly onDidPush = this.pushEmitter.event;
  readonly onDidChangeFunctions = this.functionsEmitter.event;
  /** Status from the host's hello (counts are as of the connection). */
  status: EmulatorStatus | undefined;

  constructor(
    private readonly extensionPath: string,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get currentState(): EmulatorState {
    return this._state;
  }
  get connection(): Connection | undefined {
    return this._connection;
  }
  get functions(): readonly FunctionInfo[] {
    return this._functions;
  }
  get isRunning(): boolean {
    return this._state === 'running' && !!this.client?.isOpen;
  }

  /** Sends a request; throws a ControlError when the emulator is not running or answers an error. */
  request<M extends Method>(method: M, params: Params<M>): Promise<Result<M>> {
    if (!this.client || this._state !== 'running') {
      return Promise.reject(new ControlError('disconnected', 'The Durable Functions emulator is not running. Run "Durable: Start Emulator" first.'));
    }
    return this.client.request(method, params);
  }

  /** host.json extensions.http.routePrefix of the running app, as the emulator read it ("api" by default). */
  get routePrefix(): string {
    return this.status?.app.routePrefix ?? 'api';
  }

  async refreshFunctions(): Promise<void> {
    this.setFunctions(await this.request('functions.list', {}));
  }

  /** Starts (or attaches); resolves true when running. Concurrent calls share one start. */
  start(options: StartOptions = {}): Promise<boolean> {
    if (this._state === 'running') return Promise.resolve(true);
    this.starting ??= (this.stopping ?? Promise.resolve())
      .then(() => this.doStart(options))
      .finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Stops the emulator (ours, or the one we attached to: Stop is an explicit request). */
  stop(): Promise<void> {
    this.stopping ??= this.doStop().finally(() => (this.stopping = undefined));
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    if (this.starting) await this.starting.catch(() => false);
    if (this._state === 'stopped' || this._state === 'crashed') return this.setState('stopped');
    this.setState('stopping');
    const { client, child, _connection: connection } = this;
    this.client = undefined;
    this.child = undefined;
    client?.close();
    if (child) {
      await child.stop();
    } else if (connection?.attached) {
      // End the emulator we attached to as its own CLI would on Ctrl+C (it flushes and exits).
      try {
        process.kill(connection.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    this._connection = undefined;
    this.setFunctions([]);
    this.setState('stopped');
    this.log.info('Emulator stopped.');
  }

  async restart(): Promise<boolean> {
    const options = this.lastStart;
    await this.stop();
    return this.start(options);
  }

  /** On deactivate: stop the emulator we started; just disconnect from one we attached to. */
  async shutdown(): Promise<void> {
    const { client, child } = this;
    this.client = undefined;
    this.child = undefined;
    client?.close();
    await child?.stop(3000);
  }

  dispose(): void {
    void this.shutdown();
    this.stateEmitter.dispose();
    this.pushEmitter.dispose();
    this.functionsEmitter.dispose();
  }

  private async doStart(options: StartOptions): Promise<boolean> {
    const appDir = await resolveAppFolder(this.state, options.appFolder);
    if (!appDir) return false;
    // Restart reruns the same app even if the pick was interactive.
    this.lastStart = { ...options, appFolder: appDir };
    const settings = readSettings();
    const dataDir = options.dataFolder ? path.resolve(appDir, options.dataFolder) : dataFolderFor(appDir, settings);
    this.setState('starting');
    try {
      const discovered = readDiscovery(dataDir);
      if (discovered && (await this.tryAttach(discovered))) return true;
      await this.spawn(appDir, dataDir, options.port ?? settings.port, settings.nodePath, settings.inspect);
      return true;
    } catch (error) {
      this.client?.close();
      this.client = undefined;
      await this.child?.stop(1000);
      this.child = undefined;
      this._connection = undefined;
      this.setState('stopped');
      const message = (error as Error).message;
      this.log.error(`Start failed: ${message}`);
      void vscode.window.showErrorMessage(`Durable Functions emulator: ${message}`, 'Show Logs').then((choice) => {
        if (choice) this.log.show(true);
      });
      return false;
    }
  }

  private async tryAttach(found: Discovery): Promise<boolean> {
    let client: ControlClient;
    try {
      client = await ControlClient.connect(found.ws, found.token, { timeoutMs: 5000 });
    } catch (error) {
      this.log.warn(`Found a running emulator (pid ${found.pid}) but could not attach: ${(error as Error).message}`);
      return false;
    }
    this.log.info(`Attached to the running emulator at ${found.http} (pid ${found.pid}).`);
    await this.connected(client, { ...found, attached: true });
    return true;
  }

  private async spawn(appDir: string, dataDir: string, port: number, nodePath: string, inspect: boolean): Promise<void> {
    const cliPath = this.cliPath();
    this.log.info(`Starting: ${nodePath} ${cliPath} --app ${appDir} --data ${dataDir} --port ${port}`);
    const started = Date.now();
    // If the extension host dies without deactivating, the emulator goes with it (--parent-pid).
    const { process: child, ready } = await EmulatorProcess.start({ nodePath, cliPath, appDir, dataDir, port, inspect, parentPid: process.pid, cwd: appDir });
    this.child = child;
    child.on('stdout', (line: string) => this.logLine(line));
    child.on('stderr', (line: string) => this.log.error(line));
    child.on('exit', (code: number | null, signal: string | null, expected: boolean) => {
      if (expected || this.child !== child) return;
      if (code === 0) return this.crashed('was stopped from outside VS Code.', false);
      this.crashed(`exited unexpectedly (${signal ?? `code ${code}`})${child.recentErrors.length ? `: ${child.recentErrors.slice(-3).join(' ')}` : '.'}`);
    });
    this.log.info(`Emulator ready in ${Date.now() - started} ms at ${ready.http} (pid ${ready.pid}).`);
    const client = await ControlClient.connect(ready.ws, ready.token);
    await this.connected(client, { ...ready, appDir, attached: false });
  }

  private async connected(client: ControlClient, connection: Connection): Promise<void> {
    this.client = client;
    this._connection = connection;
    this.status = client.hello;
    client.onPush((message) => this.onPush(message));
    client.onClose(() => {
      if (this.client !== client) return;
      this.client = undefined;
      // A child we own reports its own exit; an attached emulator simply went away.
      if (connection.attached || !this.child) this.crashed('closed the connection.');
    });
    const topics: ('instances' | 'worker' | 'logs')[] = ['instances', 'worker'];
    // A child's logs arrive on its stdout; an attached emulator's only over the socket.
    if (connection.attached) topics.push('logs');
    const [functions] = await Promise.all([client.request('functions.list', {}), client.request('subscribe', { topics })]);
    this.setFunctions(functions);
    this.setState('running');
    const app = client.hello.app;
    if (app.state === 'loadFailed') this.reportLoadFailure(app.loadError ?? 'unknown error');
  }

  private onPush(message: PushMessage): void {
    switch (message.topic) {
      case 'logs':
        for (const e of message.entries) this.write(e.level, `${e.source}: ${e.message}`);
        break;
      case 'worker':
        if (message.functions) this.setFunctions(message.functions);
        if (message.event === 'loadFailed') this.reportLoadFailure(message.message);
        else if (this._connection?.attached) this.log.info(`worker ${message.event}: ${message.message}`);
        break;
    }
    this.pushEmitter.fire(message);
  }

  private reportLoadFailure(message: string): void {
    this.log.error(`The app failed to load: ${message}`);
    void vscode.window.showErrorMessage(`Durable: the app failed to load: ${message}`, 'Show Logs').then((c) => c && this.log.show(true));
  }

  /** The emulator went away without our asking: say so, with a Restart action. */
  private crashed(reason: string, isError = true): void {
    if (this._state === 'stopping' || this._state === 'stopped') return;
    this.client?.close();
    this.client = undefined;
    this.child = undefined;
    const pid = this._connection?.pid;
    this._connection = undefined;
    this.setFunctions([]);
    this.setState(isError ? 'crashed' : 'stopped');
    const message = `The Durable Functions emulator${pid ? ` (pid ${pid})` : ''} ${reason}`;
    this.log[isError ? 'error' : 'warn'](message);
    const shown = isError
      ? vscode.window.showErrorMessage(message, 'Restart', 'Show Logs')
      : vscode.window.showWarningMessage(message, 'Restart', 'Show Logs');
    void shown.then((choice) => {
      if (choice === 'Restart') void this.start(this.lastStart);
      else if (choice === 'Show Logs') this.log.show(true);
    });
  }

  private setFunctions(functions: FunctionInfo[]): void {
    this._functions = functions;
    this.functionsEmitter.fire(functions);
  }

  private setState(state: EmulatorState): void {
    if (this._state === state) return;
    this._state = state;
    void vscode.commands.executeCommand('setContext', 'durable.emulatorState', state);
    this.stateEmitter.fire(state);
  }

  /** The bundled CLI inside the extension; the compiled tree when running from a dev checkout without a bundle. */
  private cliPath(): string {
    const bundled = path.join(this.extensionPath, 'dist', 'emulator', 'host', 'cli.js');
    const compiled = path.join(this.extensionPath, 'out', 'emulator', 'host', 'cli.js');
    return fs.existsSync(bundled) || !fs.existsSync(compiled) ? bundled : compiled;
  }

  /**
   * CLI lines look like `[ISO time] level source: message`; keep the level, let the channel add the time. The
   * further lines of a multi-line entry (an exception's stack) keep the level of the line that began it.
   */
  private logLine(line: string): void {
    const m = /^\[[^\]]+\] (\w+)\s+(.*)$/.exec(line);
    if (m) this.lastLevel = m[1] as LogLevel;
    this.write(this.lastLevel, m ? m[2] : line);
  }

  private write(level: LogLevel, text: string): void {
    switch (level) {
      case 'trace':
        return this.log.trace(text);
      case 'debug':
        return this.log.debug(text);
      case 'warning':
        return this.log.warn(text);
      case 'error':
      case 'critical':
        return this.log.error(text);
      default:
        return this.log.info(text);
    }
  }
}
