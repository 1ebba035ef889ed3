/**
 * Types of the timeline model (see model.ts): items (bars), their attempts, markers, episodes.
 * All times are milliseconds since the epoch.
 */
import type { RuntimeStatus } from '../../emulator/protocol/timelineWebview.js';

export type ItemKind = 'activity' | 'subOrchestration' | 'timer' | 'http' | 'entity';
/** `cancelled`: a timer that never fired in an execution that ended. */
export type Outcome = 'completed' | 'failed' | 'pending' | 'cancelled';

export interface ErrorInfo {
  type?: string;
  message: string;
  details?: string;
}

export interface RetryDelay {
  sequenceId: number;
  created: number;
  fireAt: number;
  fired: number | null;
  eventIndexes: number[];
}

export interface Attempt {
  /** 1-based. */
  number: number;
  sequenceId: number;
  scheduled: number;
  /** When a worker started running it, if the history says so (non-standard `StartedTime`). */
  started: number | null;
  ended: number | null;
  outcome: Outcome;
  /** Raw JSON text as in the history. */
  input?: string | null;
  result?: string | null;
  error?: ErrorInfo;
  /** Sub-orchestration: the child's instance id. */
  instanceId?: string;
  eventIndexes: number[];
  /** The retry delay that followed this attempt's failure. */
  retry?: RetryDelay;
}

export interface TimelineItem {
  /** Stable across appends: kind and the first attempt's sequence id. */
  id: string;
  kind: ItemKind;
  /** Function, orchestrator, "GET https://…", "counter@c1 · add", or "Timer". */
  name: string;
  sequenceId: number;
  scheduled: number;
  started: number | null;
  ended: number | null;
  outcome: Outcome;
  attempts: Attempt[];
  /** Timers: when it was (or is) due. */
  fireAt?: number;
  /** Timers: the delay asked for (due time minus the orchestrator's time when it created the timer). */
  delay?: number;
  instanceId?: string;
  http?: { method: string; uri: string; statusCode?: number };
  entity?: { name: string; key: string; operation: string; signal: boolean; requestId?: string };
  /** Indexes in the history of every event of this item (attempts and retry delays included). */
  eventIndexes: number[];
}

export type MarkerKind =
  | 'eventRaised'
  | 'eventSent'
  | 'suspended'
  | 'resumed'
  | 'rewound'
  | 'continuedAsNew'
  | 'terminated'
  | 'completed'
  | 'failed';

export interface Marker {
  /** Stable: `m:<event index>`. */
  id: string;
  kind: MarkerKind;
  time: number;
  label: string;
  /** Raw payload text (event input, result, reason). */
  payload?: string | null;
  error?: ErrorInfo;
  eventIndex: number;
}

export interface Episode {
  start: number;
  end: number | null;
  startIndex: number;
  endIndex: number | null;
}

export interface TimelineModel {
  instanceId: string;
  executionId: string;
  name: string;
  /** Status from the instance detail, else from the history. */
  status: RuntimeStatus;
  /** The execution's start and end (null while it runs). */
  start: number;
  end: number | null;
  /** The latest time anything in the history refers to (events, due times of pending timers). */
  lastTime: number;
  items: TimelineItem[];
  markers: Marker[];
  episodes: Episode[];
  suspensions: Array<{ from: number; to: number | null }>;
  /** For each history event: the index in `items` it belongs to, or -1. */
  eventItem: Int32Array;
  /** For each history event: the index in `markers` it is, or -1. */
  eventMarker: Int32Array;
  eventCount: number;
  input?: string | null;
  output?: string | null;
  failure?: ErrorInfo;
  parentInstanceId?: string;
}

const TERMINAL: RuntimeStatus[] = ['Completed', 'Failed', 'Terminated', 'ContinuedAsNew'];

export function isTerminalStatus(status: RuntimeStatus): boolean {
  return TERMINAL.includes(status);
}
