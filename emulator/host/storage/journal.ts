/**
 * The append-only journal of committed transactions.
 *
 * Record: [payload length: u32 LE][CRC-32 of payload: u32 LE][payload: UTF-8 JSON {"seq":N,"tx":{...}}].
 * Sequence numbers increase by one per record across checkpoints, so replay can skip the records a
 * checkpoint already holds and can tell a gap from a torn write.
 */
import { promises as fsp } from 'fs';
import type { FileHandle } from 'fs/promises';
import * as path from 'path';
import { crc32 } from './crc32';
import { fsyncDir, writeFileAtomic } from './files';
import type { Transaction } from './store';

const HEADER_BYTES = 8;
/** How every payload starts; lets the corruption check find candidate records after a bad one. */
const PAYLOAD_START = Buffer.from('{"seq":');

export interface JournalRecord {
  seq: number;
  tx: Transaction;
}

export function encodeRecord(seq: number, tx: Transaction): Buffer {
  const json = `{"seq":${seq},"tx":${JSON.stringify(withoutEmptyLists(tx))}}`;
  const length = Buffer.byteLength(json);
  const record = Buffer.allocUnsafe(HEADER_BYTES + length);
  record.writeUInt32LE(length, 0);
  record.write(json, HEADER_BYTES, 'utf8');
  record.writeUInt32LE(crc32(record, HEADER_BYTES), 4);
  return record;
}

/** Most lists of a transaction are empty most of the time: leaving them out keeps records short. */
function withoutEmptyLists(tx: Transaction): Partial<Transaction> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tx)) if (!(Array.isArray(value) && value.length === 0)) kept[key] = value;
  return kept;
}

/** A bad tail that was cut off: a write the crash interrupted, never acknowledged. */
export interface TornTail {
  /** Byte offset of the first bad byte (= length of the journal kept). */
  offset: number;
  droppedBytes: number;
  reason: string;
}

export interface JournalScan {
  /** Every record, unless they were handed to `onRecord` one by one instead. */
  records: JournalRecord[];
  /** Bytes of whole, valid records from the start. */
  validLength: number;
  tornTail: TornTail | null;
}

/** Raised when the journal is damaged in a way a crash cannot explain; the store refuses to open. */
export class JournalCorruptError extends Error {
  override name = 'JournalCorruptError';
}

/**
 * Parses a journal. A bad record with nothing valid after it is a torn tail (reported, not applied).
 * A bad record followed by a valid one, or valid records out of sequence, cannot come from a crash during
 * an append, so it throws JournalCorruptError rather than silently dropping acknowledged transactions.
 */
export function scanJournal(bytes: Buffer, file: string, onRecord?: (record: JournalRecord) => void): JournalScan {
  const records: JournalRecord[] = [];
  let last: JournalRecord | undefined;
  let offset = 0;
  while (offset < bytes.length) {
    const parsed = parseRecord(bytes, offset);
    if (typeof parsed === 'string') {
      const next = findRecord(bytes, offset + 1);
      const after = last ? `after record ${last.seq}` : 'in the first record';
      if (next !== -1) {
        throw new JournalCorruptError(
          `journal ${file} is corrupt at byte ${offset} (${after}: ${parsed}) but holds valid records after ` +
            `it (from byte ${next}); refusing to open rather than lose them. Restore or move the data folder.`,
        );
      }
      return {
        records,
        validLength: offset,
        tornTail: { offset, droppedBytes: bytes.length - offset, reason: `${parsed} ${after}` },
      };
    }
    const expected = last ? last.seq + 1 : parsed.record.seq;
    if (parsed.record.seq !== expected) {
      throw new JournalCorruptError(
        `journal ${file} has record ${parsed.record.seq} at byte ${offset} where record ${expected} was ` +
          'expected; refusing to open. Restore or move the data folder.',
      );
    }
    last = parsed.record;
    if (onRecord) onRecord(last);
    else records.push(last);
    offset = parsed.end;
  }
  return { records, validLength: offset, tornTail: null };
}

/** The record at `offset` and where it ends, or why there is no valid record there. */
function parseRecord(bytes: Buffer, offset: number): { record: JournalRecord; end: number } | string {
  if (bytes.length - offset < HEADER_BYTES) return `incomplete record header (${bytes.length - offset} bytes)`;
  const length = bytes.readUInt32LE(offset);
  const end = offset + HEADER_BYTES + length;
  if (length < PAYLOAD_START.length) return `invalid record length ${length}`;
  if (end > bytes.length) return `record of ${length} bytes cut off at ${bytes.length - offset - HEADER_BYTES}`;
  if (crc32(bytes, offset + HEADER_BYTES, end) !== bytes.readUInt32LE(offset + 4)) return 'checksum mismatch';
  let record: JournalRecord;
  try {
    record = JSON.parse(bytes.toString('utf8', offset + HEADER_BYTES, end)) as JournalRecord;
  } catch {
    return 'unparseable record';
  }
  if (!Number.isSafeInteger(record?.seq) || typeof record.tx !== 'object' || record.tx === null) {
    return 'malformed record';
  }
  return { record, end };
}

/** Offset of the first valid record starting at or after `from`, or -1. */
function findRecord(bytes: Buffer, from: number): number {
  for (let at = bytes.indexOf(PAYLOAD_START, from + HEADER_BYTES); at !== -1; at = bytes.indexOf(PAYLOAD_START, at + 1)) {
    if (typeof parseRecord(bytes, at - HEADER_BYTES) !== 'string') return at - HEADER_BYTES;
  }
  return -1;
}

/** Reads a journal file, or an empty buffer when there is none. */
export async function readJournal(file: string): Promise<Buffer> {
  try {
    return await fsp.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw err;
  }
}

/** The open journal: appends are durable when `append` resolves. */
export class JournalFile {
  private constructor(
    private readonly file: string,
    private handle: FileHandle,
    /** Current length in bytes. */
    public size: number,
  ) {}

  /** Opens (creating if needed) for appending, first cutting it to `validLength` bytes. */
  static async open(file: string, validLength: number): Promise<JournalFile> {
    await fsp.rm(`${file}.tmp`, { force: true }); // an interrupted replace; the journal itself stands
    return new JournalFile(file, await openForAppend(file, validLength), validLength);
  }

  /** Writes the records with one write and one fdatasync (group commit). */
  async append(records: Buffer[]): Promise<void> {
    const data = records.length === 1 ? records[0] : Buffer.concat(records);
    for (let offset = 0; offset < data.length; ) {
      offset += (await this.handle.write(data, offset, data.length - offset)).bytesWritten;
    }
    await this.handle.datasync();
    this.size += data.length;
  }

  /**
   * Leaves only the bytes from `from` on in the journal (after a checkpoint made the records before
   * redundant), atomically: a crash leaves either the old journal, whose extra records replay skips, or
   * the new one. Copied from the file in pieces: records appended during a checkpoint are not held in
   * memory meanwhile.
   */
  async keepFrom(from: number): Promise<void> {
    if (from >= this.size) {
      await this.handle.truncate(0);
      await this.handle.sync();
      this.size = 0;
      return;
    }
    const length = this.size - from;
    await writeFileAtomic(this.file, (target) => copyRange(this.file, from, length, target), () => this.handle.close());
    this.handle = await openForAppend(this.file, length);
    this.size = length;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

const COPY_CHUNK = 4 * 1024 * 1024;

async function copyRange(file: string, from: number, length: number, target: FileHandle): Promise<void> {
  const source = await fsp.open(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(Math.min(COPY_CHUNK, length));
    for (let done = 0; done < length; ) {
      const { bytesRead } = await source.read(chunk, 0, Math.min(chunk.length, length - done), from + done);
      if (bytesRead === 0) throw new Error(`journal ${file} ended at byte ${from + done} while copying its tail`);
      for (let written = 0; written < bytesRead; ) {
        written += (await target.write(chunk, written, bytesRead - written)).bytesWritten;
      }
      done += bytesRead;
    }
  } finally {
    await source.close();
  }
}

async function openForAppend(file: string, validLength: number): Promise<FileHandle> {
  const handle = await fsp.open(file, 'a');
  try {
    const { size } = await handle.stat();
    if (size > validLength) {
      await handle.truncate(validLength);
      await handle.sync();
    }
    // A new journal's directory entry must be durable before records in it are acknowledged.
    if (size === 0) await fsyncDir(path.dirname(file));
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}
