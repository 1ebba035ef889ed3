/**
 * Human-readable log lines on stdout (after the JSON ready line), also offered to subscribers. Every
 * entry has a category as the Functions host names them (docs/logging.md), which host.json
 * `logging.logLevel` filters on.
 */
import { EventEmitter } from 'node:events';
import type { LogLevel } from '../protocol/worker';
import { DEFAULT_LOG_LEVELS, LogLevelFilter } from './logLevels';

export interface LogEntry {
  time: number;
  level: LogLevel;
  /** "host", "worker", "http", "build" or the function's name. */
  source: string;
  message: string;
  /** e.g. "Function.Hello", "Function.Hello.User", "Host.Triggers.DurableTask", "Host.Emulator". */
  category: string;
}

/** The emulator's own messages (start-up, storage, HTTP errors, builds). */
export const EMULATOR_CATEGORY = 'Host.Emulator';

export function formatLogLine(entry: LogEntry): string {
  return `[${new Date(entry.time).toISOString()}] ${entry.level.padEnd(11)} ${entry.source}: ${entry.message}`;
}

export class Logger extends EventEmitter {
  private filter: LogLevelFilter = DEFAULT_LOG_LEVELS;

  constructor(private readonly write: ((line: string) => void) | null) {
    super();
  }

  /** Applies host.json `logging.logLevel` from now on. */
  setFilter(filter: LogLevelFilter): void {
    this.filter = filter;
  }

  /** Lets callers skip building a message nobody will see. */
  enabled(level: LogLevel, category: string): boolean {
    return this.filter.enabled(level, category);
  }

  log(level: LogLevel, source: string, message: string, category = EMULATOR_CATEGORY): void {
    if (!this.filter.enabled(level, category)) return;
    const entry: LogEntry = { time: Date.now(), level, source, message, category };
    this.write?.(formatLogLine(entry));
    this.emit('entry', entry);
  }

  info(message: string): void {
    this.log('information', 'host', message);
  }

  warn(message: string): void {
    this.log('warning', 'host', message);
  }

  error(message: string): void {
    this.log('error', 'host', message);
  }
}
