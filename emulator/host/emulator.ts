/** The composition root: storage, the app worker, the orchestration service and the HTTP port. */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CONTROL_PATH } from '../protocol/control';
import { runAppBuild, startWatchScript } from './appBuild';
import { watchApp } from './appWatch';
import { AppConfig, checkAppFolder, loadAppConfig } from './config';
import { ControlServer } from './control/controlServer';
import { corsPolicyOf } from './http/cors';
import { createServer } from './http/server';
import { isLoopbackBind } from './http/security';
import { Logger } from './logger';
import { Clock, realClock } from './runtime/clock';
import { ExecutionLog } from './runtime/executionLog';
import { InstanceControl } from './runtime/instanceControl';
import { LifecycleLog } from './runtime/lifecycleLog';
import { OrchestrationService } from './runtime/orchestrationService';
import { WorkerLog, WorkerProcess } from './runtime/workerProcess';
import { SqlStore, openStore } from './storage/sqlStore';
import { DISCOVERY_FILE, type Discovery, type ReadyLine } from '../protocol/launch';

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

const DEFAULT_MAX_BODY = 16 * 1024 * 1024;

export class Emulator {
  readonly logger: Logger;
  private readonly stopWatching: (() => void)[] = [];
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
    checkAppFolder(appDir);
    const config = loadAppConfig(appDir);
    logger.setFilter(config.logLevels);
    for (const warning of config.warnings) logger.warn(warning);
    const cors = corsPolicyOf(config.hostSettings);
    if (options.build) await runAppBuild(appDir, logger);
    const dataDir = path.resolve(options.dataDir ?? path.join(appDir, '.durable-emulator'));
    const store = await openStore(dataDir, { onWarning: (message) => logger.warn(`storage: ${message}`) });
    const clock = options.clock ?? realClock;
    const host = options.host ?? '127.0.0.1';
    let port = 0;
    const workerEnv = workerSettings(config.settings, logger);
    const executions = new ExecutionLog(logger);
    const worker = new WorkerProcess({
      appDir,
      env: workerEnv,
      nodePath: options.nodePath,
      inspect: options.inspect,
      functionTimeoutMs: config.functionTimeoutMs,
      onInvoke: (invocation) => executions.started(invocation),
      maxHeapMb: options.workerHeapMb,
    });
    const service = new OrchestrationService({
      store,
      worker,
      clock,
      maxConcurrentActivities: config.maxConcurrentActivities,
      maxConcurrentOrchestrators: config.maxConcurrentOrchestrators,
    });
    const control = new InstanceControl(service, worker, config.defaultVersion);
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
      info: () => ({ http: emulator?.httpUrl ?? `http://${host}:${port}`, dataDir, appDir, hubName: config.hubName, routePrefix: config.routePrefix }),
    });
    const server = createServer({
      control,
      store,
      worker,
      waitUntilDone: (id, ms) => service.waitUntilDone(id, ms),
      maxBody: options.maxBody ?? DEFAULT_MAX_BODY,
      routePrefix: config.routePrefix,
      hubName: config.hubName,
      policy: { bindHost: host, key, corsAllows: cors && ((origin) => cors.allows(origin)) },
      cors,
      useAppLease: config.useAppLease,
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
    if (options.watch) emulator.watch(!!options.build);
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

  readyInfo(): ReadyLine {
    return { event: 'ready', http: this.httpUrl, ws: this.wsUrl, token: this.token, dataDir: this.dataDir, pid: process.pid };
  }

  /** Flushes storage and stops everything; safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const stop of this.stopWatching) stop();
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
    this.worker.on('log', (entry: WorkerLog) =>
      entry.functionName
        ? this.logger.log(entry.level, entry.functionName, entry.message, `Function.${entry.functionName}.User`)
        : this.logger.log(entry.level, 'worker', entry.message, 'Worker'),
    );
    const lifecycle = new LifecycleLog(this.logger, { hubName: this.config.hubName, traceInputsAndOutputs: this.config.traceInputsAndOutputs });
    this.service.on('history', (change) => lifecycle.onHistory(change, this.service.instance(change.instanceId)?.name ?? '(purged)'));
    this.worker.on('ready', (functions: { name: string; kind: string }[]) =>
      this.logger.info(`App loaded: ${functions.map((f) => `${f.name} (${f.kind})`).join(', ') || 'no functions'}`),
    );
    this.worker.on('restarted', (reason: string) => this.logger.warn(`Worker restarted: ${reason}`));
    this.service.on('error', (error) => this.logger.error(`Orchestration service error: ${error.stack ?? error.message}`));
  }

  /** Reloads the worker when the app's output changes; with `--build`, the app's watch script keeps that output current. */
  private watch(compile: boolean): void {
    this.stopWatching.push(
      watchApp(this.config.appDir, this.dataDir, (file) => {
        this.logger.info(`${file} changed: reloading the app.`);
        void this.worker.restart(`${file} changed`, 'unavailable', 'SIGTERM');
      }),
    );
    const stopScript = compile ? startWatchScript(this.config.appDir, this.logger) : null;
    if (stopScript) this.stopWatching.push(stopScript);
  }

  /** Lets the extension attach to a running emulator: pid, port and token in the data folder. */
  private writeDiscovery(): void {
    const file = path.join(this.dataDir, DISCOVERY_FILE);
    const discovery: Discovery = { ...this.readyInfo(), appDir: this.config.appDir };
    fs.writeFileSync(file, JSON.stringify(discovery, null, 2), { mode: 0o600 });
  }
}

/**
 * local.settings.json Values for the worker's environment. As in Core Tools, a variable already set in
 * the emulator's own environment wins over the file (and the file's value is skipped, with a note).
 */
function workerSettings(settings: Record<string, string>, logger: Logger): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (process.env[key]) logger.warn(`Skipping '${key}' from local settings as it's already defined in current environment variables.`);
    else env[key] = value;
  }
  return env;
}
