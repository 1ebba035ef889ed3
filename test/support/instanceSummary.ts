/** A control-protocol instance summary for tests that script pushes or replies. */
import type { InstanceSummary } from '../../emulator/protocol/control';
import type { RuntimeStatus } from '../../emulator/protocol/durable';

export function instanceSummary(instanceId: string, runtimeStatus: RuntimeStatus = 'Running', createdTime = '2024-01-01T00:00:00.000Z'): InstanceSummary {
  return {
    instanceId,
    executionId: 'e1',
    name: 'Orch',
    runtimeStatus,
    createdTime,
    lastUpdatedTime: createdTime,
    completedTime: null,
    parentInstanceId: null,
    inputPreview: null,
    outputPreview: null,
    customStatusPreview: null,
    failure: null,
  };
}
