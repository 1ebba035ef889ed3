/**
 * What an episode may not ask for (emulator/protocol/limits.ts), checked before its actions become
 * history: too many actions, or a timer at a time no date can hold. Such an episode fails its own
 * instance with a clear message; nothing else is affected.
 */
import { ActionType, FailureDetails, OrchestratorAction } from '../../protocol/durable';
import { MAX_ACTIONS_PER_EPISODE, MAX_ACTIONS_PER_EXECUTION } from '../../protocol/limits';
import * as ev from './events';

const LIMIT_ERROR = 'OrchestrationLimitExceededException';

/**
 * The failure for the episode's new actions, or undefined when they are fine. `actions` are what the worker
 * returned, `firstNew` the index of the first of them not processed before, `total` how many the execution
 * has scheduled with them.
 */
export function episodeLimitFailure(actions: OrchestratorAction[], firstNew: number, total: number): FailureDetails | undefined {
  const fresh = actions.length - firstNew;
  if (fresh > MAX_ACTIONS_PER_EPISODE) {
    return ev.failure(
      `The orchestrator scheduled ${fresh} actions in one episode; the emulator allows at most ${MAX_ACTIONS_PER_EPISODE}. ` +
        'Fan out in batches, or through sub-orchestrations.',
      LIMIT_ERROR,
    );
  }
  if (total > MAX_ACTIONS_PER_EXECUTION) {
    return ev.failure(
      `The orchestration has scheduled ${total} actions; one execution may schedule at most ${MAX_ACTIONS_PER_EXECUTION}. ` +
        'Use continue-as-new or sub-orchestrations to keep histories bounded.',
      LIMIT_ERROR,
    );
  }
  for (let i = firstNew; i < actions.length; i++) {
    const action = actions[i];
    if (action.actionType === ActionType.CreateTimer && !action.isCanceled && !Number.isFinite(Date.parse(action.fireAt as string))) {
      return ev.failure(
        `The orchestrator created a timer that fires at ${JSON.stringify(action.fireAt ?? null)}, which is not a representable date ` +
          '(JavaScript dates end in the year 275760).',
        'ArgumentOutOfRangeException',
      );
    }
  }
  return undefined;
}
