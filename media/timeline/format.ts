/** Formatting of times, durations and payloads (no DOM). */

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** "12 ms", "1.25 s", "2 min 03 s", "1 h 02 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** Local wall-clock time with milliseconds: "14:03:07.123". */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Local date and time: "2026-11-23 14:03:07.123". */
export function formatDateTime(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${formatClock(ms)}`;
}

/** Offset from the start for axis ticks and the table: "+1.250 s", "+2 min 03 s". `step` picks the precision. */
export function formatOffset(ms: number, step = 1): string {
  if (ms === 0) return '0';
  const sign = ms < 0 ? '-' : '+';
  const a = Math.abs(ms);
  if (a < 1000 && step < 1000) return `${sign}${Math.round(a)} ms`;
  if (a < 60_000) {
    const digits = step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
    return `${sign}${(a / 1000).toFixed(digits)} s`;
  }
  if (a < 3_600_000) {
    const m = Math.floor(a / 60_000);
    const s = (a % 60_000) / 1000;
    return step >= 60_000 ? `${sign}${m} min` : `${sign}${m}:${pad(Math.floor(s))}${step < 1000 ? `.${pad(Math.floor((a % 1000) / 10))}` : ''}`;
  }
  const hh = Math.floor(a / 3_600_000);
  const mm = Math.floor((a % 3_600_000) / 60_000);
  return step >= 3_600_000 ? `${sign}${hh} h` : `${sign}${hh}:${pad(mm)}${step < 60_000 ? `:${pad(Math.floor((a % 60_000) / 1000))}` : ''}`;
}

/**
 * Pretty JSON for the details pane. Raw history payloads are JSON text; a JSON string that itself holds
 * JSON (double-encoded inputs) is shown decoded. Not-JSON text is returned as is.
 */
export function prettyPayload(text: string | null | undefined): string {
  if (text === null || text === undefined) return '';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof value === 'string') {
    const inner = value.trim();
    if ((inner.startsWith('{') && inner.endsWith('}')) || (inner.startsWith('[') && inner.endsWith(']'))) {
      try {
        return JSON.stringify(JSON.parse(inner), null, 2);
      } catch {
        /* a plain string */
      }
    }
  }
  return JSON.stringify(value, null, 2) ?? String(value);
}

/** Pretty JSON of an already parsed value (the instance's input/output/custom status). */
export function prettyValue(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return prettyPayload(JSON.stringify(value));
  return JSON.stringify(value, null, 2) ?? String(value);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** "Type: message", without repeating the type when the message already starts with it. */
export function errorText(type: string | undefined, message: string): string {
  return !type || message.startsWith(`${type}:`) ? message : `${type}: ${message}`;
}

/** The error and its stack as one text, without repeating the first line when the stack starts with it. */
export function errorWithStack(type: string | undefined, message: string, stack?: string): string {
  const head = errorText(type, message);
  if (!stack) return head;
  return stack.startsWith(head) || stack.startsWith(message) ? stack : `${head}\n\n${stack}`;
}
