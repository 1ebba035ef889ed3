/**
 * Child process of the storage crash test: opens the store in argv[2] and commits transactions as fast as
 * it can from several concurrent committers (so group commit and checkpoints happen), printing each
 * transaction's sequence number only after its commit resolved. The test SIGKILLs it at a random moment.
 *
 * Transaction `seq` (0, 1, 2, ... continuing from what the store holds):
 *   - appends event EventId=seq to the history of instance 'log', execution 'e', and upserts 'log'
 *     with lastUpdatedTime=seq;
 *   - upserts instance `i-<seq>` with input String(seq);
 *   - adds a message for 'm' (it gets id seq+1) and deletes the one of seq-10 (id seq-9);
 *   - adds a work item with taskId=seq (it gets id seq+1).
 */
import type { Transaction } from '../../emulator/host/storage/store';
import { openStore } from '../../emulator/host/storage/sqlStore';
import { EventType } from '../../emulator/protocol/durable';

export const CRASH_CHECKPOINT_BYTES = 256 * 1024;
const COMMITTERS = 8;

export function crashTransaction(seq: number): Transaction {
  const event = { EventType: EventType.EventRaised, EventId: seq, Timestamp: new Date(seq).toISOString(), IsPlayed: false };
  const row = (instanceId: string, input: string) => ({
    instanceId,
    executionId: 'e',
    name: 'crash',
    version: '',
    runtimeStatus: 'Running' as const,
    input,
    output: null,
    customStatus: null,
    createdTime: seq,
    lastUpdatedTime: seq,
    completedTime: null,
    parentInstanceId: null,
    failureDetails: null,
    engineState: '{}',
  });
  return {
    upsertInstances: [row('log', 'log'), row(`i-${seq}`, String(seq))],
    appendHistory: [{ instanceId: 'log', executionId: 'e', events: [event] }],
    addMessages: [{ instanceId: 'm', event }],
    deleteMessages: seq >= 10 ? [seq - 9] : [],
    addWorkItems: [
      { kind: 'activity', instanceId: 'log', executionId: 'e', taskId: seq, name: 'act', input: null, createdTime: seq },
    ],
  };
}

async function main(): Promise<void> {
  const store = await openStore(process.argv[2], { checkpointBytes: CRASH_CHECKPOINT_BYTES });
  let next = store.historyLength('log', 'e');
  const committer = async (): Promise<never> => {
    for (;;) {
      const seq = next++;
      await store.commit(crashTransaction(seq));
      process.stdout.write(`${seq}\n`);
    }
  };
  await Promise.all(Array.from({ length: COMMITTERS }, committer));
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
}
