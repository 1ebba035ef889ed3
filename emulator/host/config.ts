/** The app's own configuration files, read the way the Functions host reads them. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogLevelFilter, parseLogLevels } from './logLevels';

export interface AppConfig {
  appDir: string;
  hubName: string;
  maxConcurrentActivities: number;
  maxConcurrentOrchestrators: number;
  /** Infinity when host.json says -1 (no timeout). */
  functionTimeoutMs: number;
  routePrefix: string;
  /** host.json extensions.durableTask.useAppLease (default true). */
  useAppLease: boolean;
  /** host.json extensions.durableTask.defaultVersion (default ""). */
  defaultVersion: string;
  /** local.settings.json Host (LocalHttpPort, CORS, CORSCredentials, …), as Core Tools reads it. */
  hostSettings: Record<string, unknown>;
  /** local.settings.json Values. */
  settings: Record<string, string>;
  /** host.json logging.logLevel. */
  logLevels: LogLevelFilter;
  /** host.json extensions.durableTask.tracing.traceInputsAndOutputs: payloads in the lifecycle log lines. */
  traceInputsAndOutputs: boolean;
  warnings: string[];
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- host.json and local.settings.json are loose JSON, read field by field
function readJson(file: string, warnings: string[]): Record<string, any> {
  if (!fs.existsSync(file)) return {};
  try {
    // host.json and local.settings.json allow comments in practice.
    const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    return JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));
  } catch (error) {
    warnings.push(`Ignoring ${path.basename(file)}: ${(error as Error).message}`);
    return {};
  }
}

/** TimeSpan text ("00:05:00", "1.00:00:00") in milliseconds. */
export function parseTimeSpan(text: string): number | null {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const [, d, h, min, s, frac] = m;
  return ((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(s) * 1000 + (frac ? Number(`0.${frac}`) * 1000 : 0);
}

/** `%Name%` in host.json resolves from app settings, as the host does for hubName. */
function resolveSetting(value: unknown, settings: Record<string, string>): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^%(.+)%$/.exec(value);
  return m ? (settings[m[1]] ?? process.env[m[1]]) : value;
}

/** The folder must be a Functions app (host.json is what marks one); anything else is refused before a byte is written. */
export function checkAppFolder(appDir: string): void {
  if (!fs.existsSync(appDir)) throw new Error(`The app folder ${appDir} does not exist.`);
  if (!fs.statSync(appDir).isDirectory()) throw new Error(`The app folder ${appDir} is not a folder.`);
  if (!fs.existsSync(path.join(appDir, 'host.json'))) {
    throw new Error(`${appDir} is not a Functions app folder: it has no host.json. Pass --app the folder that holds the app's host.json.`);
  }
}

export function loadAppConfig(appDir: string): AppConfig {
  const warnings: string[] = [];
  const host = readJson(path.join(appDir, 'host.json'), warnings);
  const local = readJson(path.join(appDir, 'local.settings.json'), warnings);
  const settings: Record<string, string> = {};
  for (const [k, v] of Object.entries(local.Values ?? {})) settings[k] = String(v);
  const durable = host.extensions?.durableTask ?? {};
  const hubName = resolveSetting(durable.hubName, settings) || 'TestHubName';
  const positive = (value: unknown, fallback: number) => (typeof value === 'number' && value > 0 ? Math.floor(value) : fallback);
  let functionTimeoutMs = DEFAULT_TIMEOUT_MS;
  if (host.functionTimeout === '-1' || host.functionTimeout === -1) {
    functionTimeoutMs = Infinity;
  } else if (typeof host.functionTimeout === 'string') {
    const parsed = parseTimeSpan(host.functionTimeout);
    if (parsed === null || parsed <= 0) warnings.push(`host.json functionTimeout '${host.functionTimeout}' is not a TimeSpan; using 00:30:00.`);
    else functionTimeoutMs = parsed;
  }
  const prefix = host.extensions?.http?.routePrefix;
  return {
    appDir,
    hubName,
    maxConcurrentActivities: positive(durable.maxConcurrentActivityFunctions, 100),
    maxConcurrentOrchestrators: positive(durable.maxConcurrentOrchestratorFunctions, 100),
    functionTimeoutMs,
    routePrefix: typeof prefix === 'string' ? prefix.replace(/^\/+|\/+$/g, '') : 'api',
    useAppLease: durable.useAppLease !== false,
    defaultVersion: typeof durable.defaultVersion === 'string' ? durable.defaultVersion : '',
    hostSettings: typeof local.Host === 'object' && local.Host ? local.Host : {},
    settings,
    logLevels: parseLogLevels(host.logging?.logLevel, warnings),
    traceInputsAndOutputs: durable.tracing?.traceInputsAndOutputs === true,
    warnings,
  };
}
