/**
 * Histories and engine notes are stored deflated: they are most of the database (a completed hello
 * sequence's ~2.5 KB of JSON packs to ~350 bytes), and the whole database lives in memory, is copied by
 * every checkpoint and loaded by every start. A history row is written once and read rarely (cache
 * misses, the timeline, status queries with history), so packing costs little.
 *
 * A packed value is a BLOB: a format byte, then the deflated UTF-8 text. Rows written before packing
 * existed are TEXT and read as they are. The dictionary primes the compressor with what every history
 * chunk repeats (field names, event shapes), which small chunks could not amortise on their own. A
 * shipped format and its dictionary must never change: add a new format byte instead.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { SqlValue } from './db';

const FORMAT_DEFLATE_V1 = 1;

const DICTIONARY_V1 = Buffer.from(
  '"StartedTime":"2026-01-01T00:00:00.000Z"}"Result":null,"OrchestrationStatus":0,"FailureDetails":null' +
    '"TimerId":0,"FireAt":"2026-01-01T00:00:00.000Z"}"ParentInstance":null}{"EventType":1,"EventId":-1,' +
    '"Name":"","Version":"","Input":null,"OrchestrationInstance":{"InstanceId":"","ExecutionId":""},' +
    '{"nextSeq":0,"actions":[{"sig":"CallActivity:","id":0}],"pending":{"0":{"kind":"activity","name":"","input":null}},"failed":{}}' +
    '{"EventType":5,"EventId":-1,"Timestamp":"2026-01-01T00:00:00.000Z","IsPlayed":false,"TaskScheduledId":0,"Result":"' +
    '{"EventType":4,"EventId":0,"Timestamp":"2026-01-01T00:00:00.000Z","IsPlayed":false,"Name":"","Input":"' +
    '{"EventType":13,"EventId":-1,"Timestamp":"2026-01-01T00:00:00.000Z","IsPlayed":false},' +
    '{"EventType":12,"EventId":-1,"Timestamp":"2026-01-01T00:00:00.000Z","IsPlayed":false},',
  'utf8',
);

/** Below this many characters the deflate header and format byte would eat most of the saving. */
const MIN_PACKED = 64;

/** The value to store for `text`: packed bytes, or the text itself when short. */
export function pack(text: string | null): SqlValue {
  if (text === null || text.length < MIN_PACKED) return text;
  const deflated = deflateRawSync(text, { level: 6, dictionary: DICTIONARY_V1 });
  const packed = Buffer.allocUnsafe(deflated.length + 1);
  packed[0] = FORMAT_DEFLATE_V1;
  deflated.copy(packed, 1);
  return packed;
}

/** The text of a stored value, packed or not. */
export function unpack(value: SqlValue): string {
  if (typeof value === 'string') return value;
  if (!(value instanceof Uint8Array) || value[0] !== FORMAT_DEFLATE_V1) {
    throw new Error(`a stored history value has an unknown format (${value instanceof Uint8Array ? `byte ${value[0]}` : typeof value})`);
  }
  return inflateRawSync(value.subarray(1), { dictionary: DICTIONARY_V1 }).toString('utf8');
}
