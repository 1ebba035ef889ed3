/** The row of an instance that was just created (started by a client or by its parent) or continued as new. */
import { randomUUID } from 'node:crypto';
import { initialEngineState, type EngineState } from '../engine/engineState';
import type { InstanceRow } from '../storage/store';

const newExecutionId = () => randomUUID().replace(/-/g, '');

export function newInstanceRow(instanceId: string, name: string, input: string | null, now: number, parentInstanceId: string | null): InstanceRow {
  return {
    instanceId,
    executionId: newExecutionId(),
    name,
    version: '',
    runtimeStatus: 'Pending',
    input,
    output: null,
    customStatus: null,
    createdTime: now,
    lastUpdatedTime: now,
    completedTime: null,
    parentInstanceId,
    failureDetails: null,
    engineState: JSON.stringify(initialEngineState()),
  };
}

/** The row of the execution that continue-as-new starts: new input, fresh bookkeeping, the same parent. */
export function continuedInstanceRow(row: InstanceRow, input: string | null, parent: EngineState['parent'], now: number): InstanceRow {
  return {
    ...row,
    executionId: newExecutionId(),
    runtimeStatus: 'Running',
    input,
    output: null,
    customStatus: null,
    lastUpdatedTime: now,
    engineState: JSON.stringify({ ...initialEngineState(), parent }),
  };
}

/**
 * Whether the execution has stored no history yet, known without asking storage: an execution is
 * Pending until its first turn, and every turn that appends events also sets another status.
 */
export function storesNothingYet(row: InstanceRow): boolean {
  return row.runtimeStatus === 'Pending';
}
