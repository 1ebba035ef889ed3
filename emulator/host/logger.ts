/** Human-readable log lines on stdout (after the JSON ready line), also offered to subscribers. */
import { EventEmitter } from 'node:events';
import type { LogLevel } from '../protocol/worker';

export interface LogEntry {
  time: number;
  level: LogLevel;
  /** "host", "worker" or the function's name. */
  source: string;
  message: string;
}

export class Logger extends EventEmitter {
  constructor(private readonly write: ((line: string) => void) | null) {
    super();
  }

  log(level: LogLevel, source: string, message: string): void {
    const entry: LogEntry = { time: Date.now(), level, source, message };
    this.write?.(`[${new Date(entry.time).toISOString()}] ${level.padEnd(11)} ${source}: ${message}`);
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
