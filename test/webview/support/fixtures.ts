/**
 * Timeline fixtures: one instance as the extension would get it over the control protocol
 * (instances.get + instances.history), plus the instances of its sub-orchestrations for drill-down.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HistoryPage, InstanceDetail } from '../../../emulator/protocol/control';
import { generateHistory } from './generate';

export interface TimelineFixture {
  description: string;
  instance: InstanceDetail;
  history: HistoryPage;
  /** Sub-orchestration instances by id (for drill-down tests). */
  children?: Record<string, { instance: InstanceDetail; history: HistoryPage }>;
}

/** test/webview/fixtures, from the compiled location out/test/webview/support. */
export const FIXTURES_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'webview', 'fixtures');

const cache = new Map<string, TimelineFixture>();

/** Recorded fixtures come from files; the 10,000-event history is generated (deterministic, seed 42). */
export function loadFixture(name: string): TimelineFixture {
  let fixture = cache.get(name);
  if (!fixture) {
    fixture =
      name === 'big-10000'
        ? generateHistory({ events: 10000, seed: 42 })
        : (JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, `${name}.json`), 'utf8')) as TimelineFixture);
    cache.set(name, fixture);
  }
  return fixture;
}
