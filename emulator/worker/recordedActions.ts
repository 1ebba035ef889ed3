/**
 * The non-determinism check, done where the replay happens: the replayed actions are compared with the
 * descriptions of those the host recorded in earlier episodes, and only the actions past them go back to
 * the host, with the recorded timers that replay found cancelled. The host's work per episode then
 * follows the new actions, not all of them (thousands, in a large fan-out).
 */
import { describeAction, describes } from '../protocol/actions';
import { ActionType, type OrchestratorResult } from '../protocol/durable';

export function againstRecorded(result: OrchestratorResult, recorded: string[]): OrchestratorResult {
  const { actions } = result;
  const known = Math.min(recorded.length, actions.length);
  const canceledTimers: number[] = [];
  for (let i = 0; i < known; i++) {
    const action = actions[i];
    if (!describes(recorded[i], action)) {
      return { ...result, actions: [], actionsFrom: actions.length, mismatch: { index: i, replayed: describeAction(action) } };
    }
    if (action.actionType === ActionType.CreateTimer && action.isCanceled) canceledTimers.push(i);
  }
  return { ...result, actions: actions.slice(known), actionsFrom: known, canceledTimers };
}
