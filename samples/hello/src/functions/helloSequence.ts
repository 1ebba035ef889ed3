import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { ActivityHandler, OrchestrationContext, OrchestrationHandler } from 'durable-functions';

/**
 * Function chaining: call SayHello three times, one after the other, and return the greetings.
 * Output: ["Hello, Tokyo", "Hello, Seattle", "Hello, London"]
 */
const helloSequence: OrchestrationHandler = function* (context: OrchestrationContext) {
    const outputs: string[] = [];

    outputs.push(yield context.df.callActivity('SayHello', 'Tokyo'));
    outputs.push(yield context.df.callActivity('SayHello', 'Seattle'));
    outputs.push(yield context.df.callActivity('SayHello', 'London'));

    return outputs;
};
df.app.orchestration('HelloSequence', helloSequence);

const sayHello: ActivityHandler = (name: string, context: InvocationContext): string => {
    context.log(`Saying hello to ${name}.`);
    return `Hello, ${name}`;
};
df.app.activity('SayHello', { handler: sayHello });
