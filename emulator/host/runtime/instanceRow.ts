/** The row of an instance that was just created (started by a client or by its parent). */
import { randomUUID } from 'node:crypto';
import { initialEngineState } from '../engine/engineState';
import type { InstanceRow } from '../storage/store';

export function newInstanceRow(instanceId: string, name: string, input: string | null, now: number, parentInstanceId: string | null): InstanceRow {
  return {
    instanceId,
    executionId: randomUUID().replace(/-/g, ''),
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
