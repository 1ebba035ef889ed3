/**
 * The engine's state of running executions, kept in memory between turns, so that a turn neither parses
 * nor re-serialises it whole: a turn's delta is applied in place once committed. An execution not held
 * here (after a restart, or evicted) is rebuilt from its instance row and the deltas stored with its
 * history.
 */
import { applyDelta, EngineDelta, EngineState, rebuildEngineState } from '../engine/engineState';
import type { InstanceRow, Store } from '../storage/store';
import { storesNothingYet } from './instanceRow';

/** Executions held; past it the least recently used is dropped (and rebuilt if it runs again). */
const CAPACITY = 5_000;

interface Entry {
  executionId: string;
  state: EngineState;
}

export class EngineStates {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly store: Store) {}

  /** The state of the instance's current execution. Turns must not change it: they work on a copy. */
  get(instance: InstanceRow): EngineState {
    const { instanceId, executionId } = instance;
    let entry = this.entries.get(instanceId);
    if (entry?.executionId === executionId) {
      this.entries.delete(instanceId);
    } else {
      entry = { executionId, state: rebuild(this.store, instance) };
    }
    this.entries.set(instanceId, entry);
    if (this.entries.size > CAPACITY) this.entries.delete(this.entries.keys().next().value!);
    return entry.state;
  }

  /** The state held for the execution, if any, without touching the order of eviction. */
  peek(instanceId: string, executionId: string): EngineState | undefined {
    const entry = this.entries.get(instanceId);
    return entry?.executionId === executionId ? entry.state : undefined;
  }

  /** A committed turn's delta (applied to the state held, if any; otherwise it is rebuilt when needed). */
  committed(instanceId: string, executionId: string, delta: EngineDelta): void {
    const entry = this.entries.get(instanceId);
    if (entry?.executionId === executionId) applyDelta(entry.state, delta);
  }

  /** The execution ended or its history was rewritten. */
  forget(instanceId: string): void {
    this.entries.delete(instanceId);
  }
}

/** The state as stored: the execution's starting state (the instance row) plus the deltas of its history. */
export function rebuild(store: Store, instance: InstanceRow): EngineState {
  // A new execution's first turn (most first turns under load) skips the query.
  const notes = storesNothingYet(instance) ? [] : (store.getEngineNotes(instance.instanceId, instance.executionId) as EngineDelta[]);
  return rebuildEngineState(instance.engineState, notes);
}
