/**
 * Reads the discovery file a running emulator keeps in its data folder (emulator/protocol/launch.ts), so
 * that a client attaches to an emulator started from a terminal or by an earlier window instead of failing
 * on the data folder's lock.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DISCOVERY_FILE, parseDiscovery, type Discovery } from '../protocol/launch';

/** The discovery file's content when it names a live process; undefined otherwise (stale files are ignored). */
export function readDiscovery(dataDir: string): Discovery | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, DISCOVERY_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const discovery = parseDiscovery(text);
  return discovery && isAlive(discovery.pid) ? discovery : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
