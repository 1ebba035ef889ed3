/**
 * Stored JSON text (inputs, outputs, custom status, history payloads) put into replies as it is stored,
 * instead of serialised again: a value too deep for JSON.stringify (say an activity's output nested 5,000
 * levels) still reads back. The text is still parsed once, to tell JSON from plain text (a terminate reason
 * is stored as it was given).
 */
import { randomBytes } from 'node:crypto';

export class RawJson {
  constructor(readonly text: string) {}
}

/** Stored JSON text as a reply value: the text itself when it is JSON, else the text as a string. */
export function storedJson(text: string | null | undefined): RawJson | string | null {
  if (text === null || text === undefined) return null;
  try {
    JSON.parse(text);
  } catch {
    return text;
  }
  return new RawJson(text);
}

/**
 * JSON.stringify that writes RawJson values as their text. Each is first replaced by a placeholder
 * string carrying a random nonce (no payload can forge it), then spliced in.
 */
export function stringifyWithRaw(value: unknown): string {
  const raws: string[] = [];
  const nonce = randomBytes(8).toString('hex');
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof RawJson)) return v;
    raws.push(v.text);
    return `raw-${nonce}-${raws.length - 1}`;
  });
  if (!raws.length || text === undefined) return text ?? '';
  return text.replace(new RegExp(`"raw-${nonce}-(\\d+)"`, 'g'), (_m, i: string) => raws[Number(i)]);
}
