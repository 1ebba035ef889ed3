/** Hook contexts as the Node worker builds them: shared data read-only, the fields hooks may change writable. */
import * as assert from 'node:assert/strict';
import { hookContext } from '../../emulator/worker/invoke';

describe('worker hook contexts', () => {
  it('refuses to replace hookData and invocationContext, and lets hooks change inputs and the callback', () => {
    const hookData = { a: 1 };
    const context = hookContext({ hookData, invocationContext: {} }, { inputs: [1] as unknown[], functionCallback: (): string => 'x' });
    assert.throws(() => Object.assign(context, { hookData: {} }), { name: 'TypeError', message: "Cannot assign to read only property 'hookData'" });
    assert.throws(() => Object.assign(context, { invocationContext: {} }), /read only property 'invocationContext'/);
    context.hookData.a = 2;
    assert.equal(hookData.a, 2, 'the shared object itself is the one hooks write into');
    context.inputs = [2];
    context.functionCallback = () => 'y';
    assert.deepEqual(context.inputs, [2]);
    assert.equal(context.functionCallback(), 'y');
  });
});
