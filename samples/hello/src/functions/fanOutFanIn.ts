import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { ActivityHandler, OrchestrationContext, OrchestrationHandler } from 'durable-functions';

const DEFAULT_ITEM_COUNT = 10;

/** Accepts `10`, `{ "n": 10 }` or nothing (defaults to 10). */
function readItemCount(input: unknown): number {
    const raw = typeof input === 'object' && input !== null ? (input as { n?: unknown }).n : input;
    if (raw === undefined || raw === null || raw === '') {
        return DEFAULT_ITEM_COUNT;
    }
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) {
        throw new Error(`FanOutFanIn expects a non-negative integer item count, got ${JSON.stringify(input)}.`);
    }
    return n;
}

/**
 * Fan-out/fan-in: get n work items, process them all in parallel, then aggregate.
 * Output: the sum of the processed values (for the default n = 10: 9 * "item-X".length + "item-10".length = 61).
 */
const fanOutFanIn: OrchestrationHandler = function* (context: OrchestrationContext) {
    const n = readItemCount(context.df.getInput());

    const workItems: string[] = yield context.df.callActivity('GetWorkItems', n);

    // Fan out: schedule every ProcessItem call before yielding...
    const tasks: df.Task[] = workItems.map((item) => context.df.callActivity('ProcessItem', item));

    // ...then fan in: wait for all of them.
    const results: number[] = yield context.df.Task.all(tasks);

    const sum = results.reduce((total, value) => total + value, 0);
    if (!context.df.isReplaying) {
        context.log(`Processed ${results.length} work items, sum = ${sum}.`);
    }
    return sum;
};
df.app.orchestration('FanOutFanIn', fanOutFanIn);

const getWorkItems: ActivityHandler = (n: number, context: InvocationContext): string[] => {
    const items = Array.from({ length: n }, (_, i) => `item-${i + 1}`);
    context.log(`Created ${items.length} work items.`);
    return items;
};
df.app.activity('GetWorkItems', { handler: getWorkItems });

const processItem: ActivityHandler = (item: string, context: InvocationContext): number => {
    context.log(`Processing ${item}.`);
    return item.length;
};
df.app.activity('ProcessItem', { handler: processItem });
