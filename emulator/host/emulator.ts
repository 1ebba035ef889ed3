/** The composition root: storage, the app worker, the orchestration service and the HTTP port. */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CONTROL_PATH } from '../protocol/control';
import { runAppBuild, watchApp } from './appBuild';
import { AppConfig, loadAppConfig } from './config';
import { ControlServer } from './control/controlServer';
import { createServer } from './http/server';
import { isLoopbackBind } from './http/security';
import { Logger } from './logger';
import { Clock, realClock } from './runtime/clock';
import { InstanceControl } from './runtime/instanceControl';
import { OrchestrationService } from './runtime/orchestrationService';
import { WorkerProcess } from './runtime/workerProcess';
import { SqlStore, openStore } from './storage/sqlStore';

export interface EmulatorOptions {
  appDir: string;
  port?: number;
  host?: string;
  dataDir?: string;
  build?: boolean;
  watch?: boolean;
  inspect?: string | boolean;
  nodePath?: string;
  /** Largest request body accepted, in bytes. */
  maxBody?: number;
  /** Heap limit of the app's worker process, in MB. */
  workerHeapMb?: number;
  /** Stop when this process is gone (the editor that started the emulator). */
  parentPid?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface ReadyInfo {
  event: 'ready';
  http: string;
  ws: string;
  token: string;
  dataDir: string;
  pid: number;
}

export const DISCOVERY_FILE = 'emulator.json';
const DEFAULT_MAX_BODY = 16 * 1024 * 1024;

export class Emulator {
  readonly logger: Logger;
  private stopWatching: (() => void) | null = null;
  private stopping: Promise<void> | null = null;

  private constructor(
    readonly config: AppConfig,
    readonly dataDir: string,
    readonly store: SqlStore,
    readonly worker: WorkerProcess,
    readonly service: OrchestrationService,
    readonly control: InstanceControl,
    readonly server: Server,
    /** The WebSocket control channel of the editor extension (docs/protocol.md). */
    readonly controlServer: ControlServer,
    logger: Logger,
    private readonly bindHost: string,
    /** Required by the control channel (`token` query parameter or `Authorization: Bearer`). */
    readonly token: string,
  ) {
    this.logger = logger;
  }

  static async start(options: EmulatorOptions): Promise<Emulator> {
    const logger = options.logger ?? new Logger(null);
    const appDir = path.resolve(options.appDir);
    if (!fs.existsSync(appDir)) throw new Error(`The app folder ${appDir} does not exist.`);
    if (options.build) await runAppBuild(appDir, logger);
    const config = loadAppConfig(appDir);
    for (const warning of config.warnings) logger.warn(warning);
    const dataDir = path.resolve(options.dataDir ?? path.join(appDir, '.durable-emulator'));
    const store = await openStore(dataDir, { onWarning: (message) => logger.warn(`storage: ${message}`) });
    const clock = options.clock ?? realClock;
    const host = options.host ?? '127.0.0.1';
    let port = 0;
    const workerEnv: Record<string, string> = { ...config.settings };
    const worker = new WorkerProcess({
      appDir,
      env: workerEnv,
      nodePath: options.nodePath,
      inspect: options.inspect,
      functionTimeoutMs: config.functionTimeoutMs,
      maxHeapMb: options.workerHeapMb,
    });
    const service = new OrchestrationService({
      store,
      worker,
      clock,
      maxConcurrentActivities: config.maxConcurrentActivities,
      maxConcurrentOrchestrators: config.maxConcurrentOrchestrators,
    });
    const control = new InstanceControl(service, worker);
    const key = randomBytes(24).toString('base64url');
    const token = randomBytes(24).toString('hex');
    let emulator: Emulator | undefined;
    const controlServer = new ControlServer({
      token,
      store,
      service,
      control,
      worker,
      logger,
      info: () => ({ http: emulator?.httpUrl ?? `http://${host}:${port}`, dataDir, appDir, hubName: config.hubName }),
    });
    const server = createServer({
      control,
      store,
      worker,
      waitUntilDone: (id, ms) => service.waitUntilDone(id, ms),
      maxBody: options.maxBody ?? DEFAULT_MAX_BODY,
      routePrefix: config.routePrefix,
      hubName: config.hubName,
      policy: { bindHost: host, key },
      internalOrigin: () => `http://127.0.0.1:${port}`,
      log: (level, message) => logger.log(level, 'http', message),
      onUpgrade: (req, socket, head, url) => controlServer.handleUpgrade(req, socket, head, url),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 7071, host, () => resolve());
    }).catch(async (error) => {
      await controlServer.close();
      await store.close();
      throw new Error(`Cannot listen on ${host}:${options.port ?? 7071}: ${(error as Error).message}`);
    });
    port = (server.address() as AddressInfo).port;
    if (!isLoopbackBind(host)) logger.warn(`Listening beyond loopback on ${host}: callers from other machines need the key ${key}`);

    emulator = new Emulator(config, dataDir, store, worker, service, control, server, controlServer, logger, host, token);
    emulator.wireLogs();
    // The library rewrites client URLs to localhost:7071 unless WEBSITE_HOSTNAME names the real origin.
    workerEnv.WEBSITE_HOSTNAME = `127.0.0.1:${port}`;
    await worker.start();
    service.recover();
    if (options.watch) emulator.watch();
    emulator.writeDiscovery();
    return emulator;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get httpUrl(): string {
    const host = this.bindHost === '0.0.0.0' || this.bindHost === '::' ? '127.0.0.1' : this.bindHost;
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  get wsUrl(): string {
    return `${this.httpUrl.replace(/^http/, 'ws')}${CONTROL_PATH}`;
  }

  readyInfo(): ReadyInfo {
    return { event: 'ready', http: this.httpUrl, ws: this.wsUrl, token: this.token, dataDir: this.dataDir, pid: process.pid };
  }

  /** Flushes storage and stops everything; safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.stopWatching?.();
      await this.controlServer.close();
      this.service.stop();
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
      await this.worker.stop();
      await this.store.close();
      fs.rmSync(path.join(this.dataDir, DISCOVERY_FILE), { force: true });
    })();
    return this.stopping;
  }

  private wireLogs(): void {
    this.worker.on('log', (entry: { level: Parameters<Logger['log']>[0]; message: string; functionName?: string }) =>
      this.logger.log(entry.level, entry.functionName ?? 'worker', entry.message),
    );
    this.worker.on('ready', (functions: { name: string; kind: string }[]) =>
      this.logger.info(`App loaded: ${functions.map((f) => `${f.name} (${f.kind})`).join(', ') || 'no functions'}`),
    );
    this.worker.on('restarted', (reason: string) => this.logger.warn(`Worker restarted: ${reason}`));
    this.service.on('error', (error) => this.logger.error(`Orchestration service error: ${error.stack ?? error.message}`));
  }

  private watch(): void {
    this.stopWatching = watchApp(this.config.appDir, this.dataDir, (file) => {
      this.logger.info(`${file} changed: reloading the app.`);
      void this.worker.restart(`${file} changed`);
    });
  }

  /** Lets the extension attach to a running emulator: pid, port and token in the data folder. */
  private writeDiscovery(): void {
    const file = path.join(this.dataDir, DISCOVERY_FILE);
    fs.writeFileSync(file, JSON.stringify({ ...this.readyInfo(), appDir: this.config.appDir }, null, 2), { mode: 0o600 });
  }
}
