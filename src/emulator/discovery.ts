/**
 * The discovery file a running emulator writes into its data folder (`emulator.json`: pid, urls, token).
 * Reading it lets the extension attach to an emulator started from a terminal or by an earlier window
 * instead of failing on the data folder's lock.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ReadyInfo } from './emulatorProcess';

export const DISCOVERY_FILE = 'emulator.json';

export interface Discovery extends ReadyInfo {
  appDir?: string;
}

/** The discovery file's content when it names a live process; undefined otherwise (stale files are ignored). */
export function readDiscovery(dataDir: string): Discovery | undefined {
  let info: Partial<Discovery>;
  try {
    info = JSON.parse(fs.readFileSync(path.join(dataDir, DISCOVERY_FILE), 'utf8')) as Partial<Discovery>;
  } catch {
    return undefined;
  }
  if (typeof info.ws !== 'string' || typeof info.token !== 'string' || typeof info.http !== 'string' || typeof info.pid !== 'number') {
    return undefined;
  }
  return isAlive(info.pid) ? (info as Discovery) : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
