/**
 * How a started emulator announces itself (docs/protocol.md § Starting and attaching): the one JSON line the
 * CLI prints on stdout when it is ready, and the discovery file it keeps in its data folder while it runs,
 * through which a client attaches to an emulator somebody else started.
 */

/** The CLI's ready line: the first line on stdout, `{"event":"ready",...}`. */
export interface ReadyLine {
  event: 'ready';
  /** Origin of the HTTP API and the app's functions, e.g. `http://127.0.0.1:7071`. */
  http: string;
  /** URL of the control WebSocket (emulator/protocol/control.ts `CONTROL_PATH`). */
  ws: string;
  /** Required by the control channel. */
  token: string;
  /** The data folder, absolute. */
  dataDir: string;
  /** The emulator host's process id. */
  pid: number;
}

/** Name of the discovery file in the data folder, readable by its owner only. */
export const DISCOVERY_FILE = 'emulator.json';

/** Content of the discovery file: the ready line and the app folder. */
export interface Discovery extends ReadyLine {
  appDir: string;
}

/** The ready line when `line` is one; undefined for any other line (an ordinary log line). */
export function parseReadyLine(line: string): ReadyLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as Partial<ReadyLine>;
    return value.event === 'ready' && hasConnectionFields(value) ? (value as ReadyLine) : undefined;
  } catch {
    return undefined;
  }
}

/** The discovery file's content when `text` is one; undefined when it is malformed or incomplete. */
export function parseDiscovery(text: string): Discovery | undefined {
  try {
    const value = JSON.parse(text) as Partial<Discovery>;
    return hasConnectionFields(value) && typeof value.appDir === 'string' ? (value as Discovery) : undefined;
  } catch {
    return undefined;
  }
}

function hasConnectionFields(value: Partial<ReadyLine>): boolean {
  return (
    typeof value.http === 'string' &&
    typeof value.ws === 'string' &&
    typeof value.token === 'string' &&
    typeof value.dataDir === 'string' &&
    typeof value.pid === 'number'
  );
}
