/** What one turn of an instance decided: the engine's whole output, turned into a transaction by the scheduler. */
import type { HistoryEvent } from '../../protocol/durable';
import type { InstanceRow, TimerRow, WorkKind } from '../storage/store';
import type { EngineDelta, ParentLink } from './engineState';

export interface WorkRequest {
  kind: WorkKind;
  taskId: number;
  name: string;
  /** JSON text of the activity input, or of the HttpRequestSpec. */
  input: string | null;
}

export interface ChildStart {
  instanceId: string;
  name: string;
  input: string | null;
  version: string;
  parent: ParentLink;
}

/** A message for another instance, delivered only while it still runs `executionId`. */
export interface Notification {
  instanceId: string;
  executionId: string;
  event: HistoryEvent;
}

export interface TurnOutcome {
  instance: InstanceRow;
  append: HistoryEvent[];
  /** Ids of the messages this turn consumed. */
  consumed: number[];
  work: WorkRequest[];
  timers: TimerRow[];
  cancelTimers: number[];
  children: ChildStart[];
  notify: Notification[];
  /** The execution ended: drop its remaining timers, queued work and messages. */
  clearOutstanding: boolean;
  continueAsNew?: { input: string | null };
  /** How the episode changed the engine's state; stored with the history it appends. */
  engine?: EngineDelta;
}

export function emptyOutcome(instance: InstanceRow, consumed: number[]): TurnOutcome {
  return {
    instance,
    append: [],
    consumed,
    work: [],
    timers: [],
    cancelTimers: [],
    children: [],
    notify: [],
    clearOutstanding: false,
  };
}
