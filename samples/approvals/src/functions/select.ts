import * as df from 'durable-functions';
import { OrchestrationContext, OrchestrationHandler } from 'durable-functions';

const EVENT_NAMES = ['A', 'B', 'C'] as const;

/**
 * Waits for whichever of the events "A", "B" or "C" arrives first (Task.any) and returns
 * { winner: <event name>, value: <event data> }. Later events are ignored.
 */
const select: OrchestrationHandler = function* (context: OrchestrationContext) {
    const waits = EVENT_NAMES.map((name) => ({ name, task: context.df.waitForExternalEvent(name) }));

    context.df.setCustomStatus({ waitingFor: EVENT_NAMES });

    const winnerTask = yield context.df.Task.any(waits.map((w) => w.task));
    const winner = waits.find((w) => w.task === winnerTask);
    if (!winner) {
        throw new Error('Task.any returned a task that is not one of the awaited events.');
    }

    return { winner: winner.name, value: winner.task.result };
};
df.app.orchestration('Select', select);
