/**
 * Startup: load the checkpoint, bring its schema up to date, replay the journal records it does not hold
 * yet, and cut off a torn tail. Replay uses the same code as live commits, so it rebuilds exactly the
 * acknowledged state, ids included.
 */
import { promises as fsp } from 'fs';
import * as path from 'path';
import { assignIds, IdCounters } from './apply';
import { Db, loadSqlJs } from './db';
import { exists } from './files';
import { JournalFile, JournalRecord, readJournal, scanJournal, TornTail } from './journal';
import { migrate, readMeta } from './schema';
import { StoreState } from './storeState';

/** What open found and did. */
export interface RecoveryInfo {
  /** Last journal sequence number held by the loaded checkpoint (0: no checkpoint). */
  checkpointSeq: number;
  /** Journal records applied on top of the checkpoint. */
  replayed: number;
  /** Journal records skipped because the checkpoint already held them. */
  skipped: number;
  /** The torn or corrupt tail that was cut off and not applied, if any. */
  tornTail: TornTail | null;
  warnings: string[];
}

export interface Recovered {
  state: StoreState;
  journal: JournalFile;
  /** Sequence number of the last transaction applied. */
  lastSeq: number;
  counters: IdCounters;
  info: RecoveryInfo;
  /** Bytes of the checkpoint loaded (0: none). */
  checkpointSize: number;
}

export async function recover(
  dataDir: string,
  checkpointName: string,
  journalName: string,
  onWarning?: (message: string) => void,
): Promise<Recovered> {
  const checkpointFile = path.join(dataDir, checkpointName);
  const journalFile = path.join(dataDir, journalName);
  await fsp.rm(`${checkpointFile}.tmp`, { force: true }); // an interrupted checkpoint; the old one stands
  const { db, size: checkpointSize } = await loadCheckpoint(checkpointFile);
  try {
    const state = StoreState.load(db);
    const meta = readMeta(db);
    const info: RecoveryInfo = { checkpointSeq: meta.lastSeq, replayed: 0, skipped: 0, tornTail: null, warnings: [] };
    const counters: IdCounters = { nextMessageId: meta.nextMessageId, nextWorkItemId: meta.nextWorkItemId };
    let lastSeq = meta.lastSeq;
    // Applied as parsed, one at a time: a long journal is never held parsed whole. A corrupt record
    // after some were applied throws, and this half-recovered state is dropped with it.
    const replay = ({ seq, tx }: JournalRecord) => {
      if (seq <= meta.lastSeq) {
        info.skipped++;
        return;
      }
      if (seq !== lastSeq + 1) {
        throw new Error(
          `journal ${journalFile} starts at record ${seq} but checkpoint ${checkpointFile} ends at ` +
            `record ${meta.lastSeq}: transactions are missing; refusing to open. Restore or move the data folder.`,
        );
      }
      try {
        Object.assign(counters, assignIds(tx, counters).next);
        state.apply(tx);
      } catch (err) {
        throw new Error(`journal ${journalFile}: record ${seq} cannot be replayed: ${(err as Error).message}`);
      }
      lastSeq = seq;
      info.replayed++;
    };
    const scan = scanJournal(await readJournal(journalFile), journalFile, replay);
    info.tornTail = scan.tornTail;
    if (scan.tornTail) {
      const { offset, droppedBytes, reason } = scan.tornTail;
      const message =
        `journal ${journalFile}: cut off ${droppedBytes} bytes at byte ${offset} (${reason}); ` +
        'a write interrupted by a crash, never acknowledged, not applied';
      info.warnings.push(message);
      onWarning?.(message);
    }
    state.flush();
    const journal = await JournalFile.open(journalFile, scan.validLength);
    return { state, journal, lastSeq, counters, info, checkpointSize };
  } catch (err) {
    db.close();
    throw err;
  }
}

async function loadCheckpoint(file: string): Promise<{ db: Db; size: number }> {
  const SQL = await loadSqlJs();
  const bytes = (await exists(file)) ? await fsp.readFile(file) : null;
  let db: Db | undefined;
  try {
    db = new Db(new SQL.Database(bytes));
    migrate(db);
    return { db, size: bytes?.length ?? 0 };
  } catch (err) {
    db?.close();
    throw new Error(`cannot load checkpoint ${file}: ${(err as Error).message}`);
  }
}
