/**
 * The emulator's log as Core Tools users know it: Executing/Executed per function execution (with the
 * exception on failure, for activities, orchestrators and HTTP functions), the Durable extension's
 * orchestration lifecycle lines, and host.json logging.logLevel.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { RunningEmulator, fixtureApp, startEmulator } from '../support/emulatorProcess';
import { api, request, startOrchestration, waitForStatus } from '../support/httpClient';
import { copyFixtureApp, editJson, removeAppCopies } from '../support/tempApp';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const DURABLE_REASON = "Reason='\\(null\\)'";
const HTTP_REASON = "Reason='This function was programmatically called via the host APIs\\.'";
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The id of the first "Executing 'Functions.<name>'" line with `reason`. */
async function executingId(emu: RunningEmulator, name: string, reason: string): Promise<string> {
  const line = await emu.waitForLog(new RegExp(`Executing 'Functions\\.${name}' \\(${reason}, Id=(${UUID})\\)`), 15_000);
  return new RegExp(`Id=(${UUID})`).exec(line)![1];
}

/** The lines after the first one matching `first`, as the CLI wrote them (continuation lines included). */
function linesAfter(emu: RunningEmulator, first: RegExp, count: number): string[] {
  const at = emu.logs.findIndex((l) => first.test(l));
  assert.ok(at >= 0, `a line matching ${first}`);
  return emu.logs.slice(at + 1, at + 1 + count);
}

describe('logging: function executions and orchestration lifecycle', () => {
  let emu: RunningEmulator;
  before(async function () {
    this.timeout(90_000);
    emu = await startEmulator({ app: fixtureApp('scenarios') });
  });
  after(async () => {
    await emu?.stop();
  });

  it('a completed orchestration: Executing/Executed of the orchestrator and each activity, started and completed', async () => {
    const id = await startOrchestration(emu.http, 'HelloSequence');
    await waitForStatus(emu.http, id, ['Completed']);
    const fn = `${id}: Function 'HelloSequence \\(Orchestrator\\)'`;
    await emu.waitForLog(new RegExp(`${fn} started\\. IsReplay: False\\. Input: \\(Redacted \\d+ characters\\)\\. State: Started\\. RuntimeStatus: Running\\. HubName: `));
    await emu.waitForLog(new RegExp(`${fn} completed\\. ContinuedAsNew: False\\. IsReplay: False\\. Output: \\(Redacted \\d+ characters\\)\\. State: Completed`));
    const activity = await executingId(emu, 'SayHello', DURABLE_REASON);
    await emu.waitForLog(new RegExp(`information +SayHello: Executed 'Functions\\.SayHello' \\(Succeeded, Id=${activity}, Duration=\\d+ms\\)`));
    const episode = await executingId(emu, 'HelloSequence', DURABLE_REASON);
    await emu.waitForLog(new RegExp(`Executed 'Functions\\.HelloSequence' \\(Succeeded, Id=${episode}, Duration=\\d+ms\\)`));
  });

  it('a failing activity and the orchestration it fails: the exception with its stack, and the failure reason', async () => {
    const id = await startOrchestration(emu.http, 'Unhandled');
    await waitForStatus(emu.http, id, ['Failed']);
    const activity = await executingId(emu, 'AlwaysFail', DURABLE_REASON);
    const executed = new RegExp(`error +AlwaysFail: Executed 'Functions\\.AlwaysFail' \\(Failed, Id=${activity}, Duration=\\d+ms\\)`);
    await emu.waitForLog(executed);
    await emu.waitForLog(/error +AlwaysFail: Exception while executing function: Functions\.AlwaysFail\. Result: Failure$/);
    const [, message, stack, frame] = linesAfter(emu, executed, 4);
    assert.equal(message, 'Exception: boom');
    assert.equal(stack, 'Stack: Error: boom');
    assert.match(frame, /^\s+at .*activities\.js/);
    await emu.waitForLog(new RegExp(`error +Unhandled: ${id}: Function 'Unhandled \\(Orchestrator\\)' failed with an error\\. Reason: .*boom.*State: Failed\\. RuntimeStatus: Failed`));
  });

  it('an orchestrator that throws: its episode is Failed with the exception', async () => {
    const id = await startOrchestration(emu.http, 'ThrowDirect');
    await waitForStatus(emu.http, id, ['Failed']);
    const episode = await executingId(emu, 'ThrowDirect', DURABLE_REASON);
    const executed = new RegExp(`Executed 'Functions\\.ThrowDirect' \\(Failed, Id=${episode}, Duration=\\d+ms\\)`);
    await emu.waitForLog(executed);
    const [exception, message, stack] = linesAfter(emu, executed, 3);
    assert.match(exception, /Exception while executing function: Functions\.ThrowDirect\. Result: Failure/);
    assert.match(message, /^Exception: .*orchestrator exploded/);
    assert.match(stack, /^Stack: /);
    await emu.waitForLog(new RegExp(`${id}: Function 'ThrowDirect \\(Orchestrator\\)' failed with an error\\. Reason: .*orchestrator exploded`));
  });

  it('an HTTP function answering 500: Executing with the host API reason, Executed Failed, the exception', async () => {
    const reply = await request('GET', `${emu.http}/api/Boom`);
    assert.equal(reply.status, 500);
    const invocation = await executingId(emu, 'Boom', HTTP_REASON);
    const executed = new RegExp(`Executed 'Functions\\.Boom' \\(Failed, Id=${invocation}, Duration=\\d+ms\\)`);
    await emu.waitForLog(executed);
    const [exception, message, stack] = linesAfter(emu, executed, 3);
    assert.match(exception, /Exception while executing function: Functions\.Boom\. Result: Failure/);
    assert.equal(message, 'Exception: http boom');
    assert.equal(stack, 'Stack: Error: http boom');
  });

  it("the Id of Executing/Executed is the invocation's context.invocationId, for orchestrators, activities and HTTP", async () => {
    const id = await startOrchestration(emu.http, 'LogsInvocationId');
    const done = await waitForStatus(emu.http, id, ['Completed']);
    const seen = async (kind: string) => new RegExp(`${kind} invocationId=(${UUID})`).exec(await emu.waitForLog(new RegExp(`${kind} invocationId=${UUID}`)))![1];
    const activity = await seen('activity');
    assert.equal(done.output, activity, 'the activity returned the id it logged');
    await emu.waitForLog(new RegExp(`Executing 'Functions\\.LogInvocationId' \\(${DURABLE_REASON}, Id=${activity}\\)`));
    await emu.waitForLog(new RegExp(`Executed 'Functions\\.LogInvocationId' \\(Succeeded, Id=${activity}, Duration=\\d+ms\\)`));
    const episode = await seen('orchestrator');
    await emu.waitForLog(new RegExp(`Executing 'Functions\\.LogsInvocationId' \\(${DURABLE_REASON}, Id=${episode}\\)`));
    await emu.waitForLog(new RegExp(`Executed 'Functions\\.LogsInvocationId' \\(Succeeded, Id=${episode}, Duration=\\d+ms\\)`));

    const reply = await request('GET', `${emu.http}/api/HttpInvocationId`);
    assert.equal(reply.status, 200);
    assert.match(reply.text, new RegExp(`^${UUID}$`));
    await emu.waitForLog(new RegExp(`http invocationId=${reply.text}`));
    await emu.waitForLog(new RegExp(`Executing 'Functions\\.HttpInvocationId' \\(${HTTP_REASON}, Id=${reply.text}\\)`));
    await emu.waitForLog(new RegExp(`Executed 'Functions\\.HttpInvocationId' \\(Succeeded, Id=${reply.text}, Duration=\\d+ms\\)`));
  });

  it('terminate, suspend and resume are logged with the instance id', async () => {
    const id = await startOrchestration(emu.http, 'WaitForApproval');
    await waitForStatus(emu.http, id, ['Running']);
    const fn = escape(`'WaitForApproval (Orchestrator)'`);
    assert.equal((await request('POST', `${api(emu.http)}/instances/${id}/suspend?reason=pause`)).status, 202);
    await emu.waitForLog(new RegExp(`${id}: Suspending function ${fn}\\. Reason: \\(Redacted 5 characters\\)\\. State: Suspended`));
    assert.equal((await request('POST', `${api(emu.http)}/instances/${id}/resume?reason=go`)).status, 202);
    await emu.waitForLog(new RegExp(`${id}: Resuming function ${fn}\\. Reason: \\(Redacted 2 characters\\)\\. State: Scheduled\\. RuntimeStatus: Running`));
    assert.equal((await request('POST', `${api(emu.http)}/instances/${id}/terminate?reason=enough`)).status, 202);
    await waitForStatus(emu.http, id, ['Terminated']);
    await emu.waitForLog(new RegExp(`warning +WaitForApproval: ${id}: Function ${fn} was terminated\\. Reason: \\(Redacted \\d+ characters\\)\\. State: Terminated\\. RuntimeStatus: Terminated`));
  });
});

describe('logging: host.json logging.logLevel and tracing.traceInputsAndOutputs', () => {
  let emu: RunningEmulator;
  let app: string;
  before(async function () {
    this.timeout(90_000);
    app = copyFixtureApp('scenarios');
    editJson(path.join(app, 'host.json'), (host) => {
      host.logging = {
        logLevel: {
          default: 'Information',
          Function: 'Error',
          'Function.SayHello': 'Information',
          'Host.Triggers.DurableTask': 'Warning',
          'Host.Bogus': 'Loud',
        },
      };
      host.extensions.durableTask.tracing = { traceInputsAndOutputs: true };
    });
    emu = await startEmulator({ app });
  });
  after(async () => {
    await emu?.stop();
    removeAppCopies(app);
  });

  it('filters by the most specific category and level; unknown levels are reported', async () => {
    await emu.waitForLog(/warning +host: host\.json logging\.logLevel 'Host\.Bogus': 'Loud' is not one of Trace, Debug, Information, Warning, Error, Critical, None; ignored\./);
    const hello = await startOrchestration(emu.http, 'HelloSequence');
    await waitForStatus(emu.http, hello, ['Completed']);
    const failing = await startOrchestration(emu.http, 'Unhandled');
    await waitForStatus(emu.http, failing, ['Failed']);
    const waiting = await startOrchestration(emu.http, 'WaitForApproval');
    await waitForStatus(emu.http, waiting, ['Running']);
    assert.equal((await request('POST', `${api(emu.http)}/instances/${waiting}/terminate?reason=enough`)).status, 202);

    // Function.SayHello is Information; Function (every other function) is Error.
    await emu.waitForLog(/Executed 'Functions\.SayHello' \(Succeeded/);
    await emu.waitForLog(/error +AlwaysFail: Executed 'Functions\.AlwaysFail' \(Failed/);
    // Host.Triggers.DurableTask is Warning: terminated (warning) and failed (error) show, payloads in full.
    await emu.waitForLog(new RegExp(`${waiting}: Function 'WaitForApproval \\(Orchestrator\\)' was terminated\\. Reason: "?enough"?\\.`));
    await emu.waitForLog(new RegExp(`${failing}: Function 'Unhandled \\(Orchestrator\\)' failed with an error`));
    assert.ok(!emu.logs.some((l) => /Executing 'Functions\.(HelloSequence|AlwaysFail|Unhandled)'/.test(l)), 'Function is Error: no Executing lines');
    assert.ok(!emu.logs.some((l) => / started\. IsReplay| completed\. ContinuedAsNew/.test(l)), 'Host.Triggers.DurableTask is Warning: no started/completed lines');
  });
});
