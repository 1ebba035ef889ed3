/**
 * Checks of JSON payloads where they enter the emulator (HTTP bodies, control messages): nesting depth
 * and numbers JSON cannot carry. Deeply nested values break the recursive serialisers every reader
 * uses (JSON.stringify gives up near 5,000 levels), and 1e400 would silently become null.
 */

/** Levels of arrays and objects an input, event or other payload may nest (Json.NET's default MaxDepth). */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }
const NUMBER_START = /[-0-9]/;
const NUMBER_CHAR = /[-+.0-9eE]/;

/**
 * Why valid JSON text cannot be accepted (nested deeper than `maxDepth`, or a number that overflows
 * to Infinity), or null when it can. One pass, no recursion, strings skipped with indexOf.
 */
export function jsonTextProblem(text: string, maxDepth = MAX_JSON_DEPTH): string | null {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = endOfString(text, i);
    } else if (OPEN.has(c)) {
      if (++depth > maxDepth) return `it nests deeper than ${maxDepth} levels of arrays and objects`;
    } else if (CLOSE.has(c)) {
      depth--;
    } else if (NUMBER_START.test(text[i])) {
      let end = i + 1;
      while (end < text.length && NUMBER_CHAR.test(text[end])) end++;
      const token = text.slice(i, end);
      if (!Number.isFinite(Number(token))) return `the number ${token.length > 40 ? `${token.slice(0, 40)}…` : token} is too large for JSON`;
      i = end - 1;
    }
  }
  return null;
}

/** Index of the closing quote of the string opening at `start`. */
function endOfString(text: string, start: number): number {
  let at = start;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0) return text.length;
    let slashes = 0;
    while (text.charCodeAt(at - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return at;
  }
}
