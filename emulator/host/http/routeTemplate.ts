/**
 * ASP.NET-style route templates as Azure Functions uses them: literal segments (case-insensitive),
 * {name}, optional {name?}, defaults {name=value}, a trailing catch-all {*rest}, and ASP.NET Core's inline
 * route constraints, several of which may be chained ({id:int:min(1)}).
 */
interface Segment {
  literal?: string;
  name?: string;
  optional?: boolean;
  catchAll?: boolean;
  defaultValue?: string;
  constraints: Constraint[];
}

type Constraint = (value: string) => boolean;

export interface CompiledRoute {
  template: string;
  segments: Segment[];
  /** Literal segments first, so more specific routes win. */
  specificity: number;
}

const INT32 = [-(2 ** 31), 2 ** 31 - 1];
const INT64 = [-(2n ** 63n), 2n ** 63n - 1n];
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const GUID_D = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** .NET Guid.TryParse's N, D, B and P forms. */
const GUID = new RegExp(`^([0-9a-f]{32}|${GUID_D}|\\{${GUID_D}\\}|\\(${GUID_D}\\))$`, 'i');

const integer = (value: string): bigint | null => (INTEGER.test(value.trim()) ? BigInt(value.trim()) : null);

/** Constraints without arguments, by lower-case name. */
const SIMPLE: Record<string, Constraint> = {
  int: (v) => INTEGER.test(v) && Number(v) >= INT32[0] && Number(v) <= INT32[1],
  long: (v) => {
    const n = integer(v);
    return n !== null && n >= INT64[0] && n <= INT64[1];
  },
  double: (v) => NUMBER.test(v),
  float: (v) => NUMBER.test(v),
  decimal: (v) => /^[+-]?(\d+\.?\d*|\.\d+)$/.test(v),
  bool: (v) => /^(true|false)$/i.test(v),
  alpha: (v) => /^[a-z]+$/i.test(v),
  guid: (v) => GUID.test(v),
  datetime: (v) => !Number.isNaN(Date.parse(v)),
  required: (v) => v !== '',
};

/** Constraints with arguments: `min(1)`, `length(2,5)`, `regex(^a+$)`, … */
const WITH_ARGS: Record<string, (args: string) => Constraint> = {
  min: (a) => (v) => compare(v, a) >= 0,
  max: (a) => (v) => compare(v, a) <= 0,
  range: (a) => {
    const [lo, hi] = a.split(',');
    return (v) => compare(v, lo) >= 0 && compare(v, hi) <= 0;
  },
  minlength: (a) => (v) => v.length >= Number(a),
  maxlength: (a) => (v) => v.length <= Number(a),
  length: (a) => {
    const [lo, hi] = a.split(',').map(Number);
    return hi === undefined ? (v) => v.length === lo : (v) => v.length >= lo && v.length <= hi;
  },
  // ASP.NET matches route regexes case-insensitively and unanchored.
  regex: (a) => {
    try {
      const re = new RegExp(a, 'i');
      return (v) => re.test(v);
    } catch {
      return () => false; // the Functions host would not index such a function at all
    }
  },
};

/** Integer comparison of a route value with a bound; NaN (so the constraint fails) when either is no integer. */
function compare(value: string, bound: string): number {
  const v = integer(value);
  const b = integer(bound);
  if (v === null || b === null) return Number.NaN;
  return v < b ? -1 : v > b ? 1 : 0;
}

export function compileRoute(template: string): CompiledRoute {
  const segments = template
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .filter(Boolean)
    .map(parseSegment);
  const specificity = segments.filter((s) => s.literal !== undefined).length * 100 + segments.length;
  return { template, segments, specificity };
}

function parseSegment(raw: string): Segment {
  if (!raw.startsWith('{') || !raw.endsWith('}')) return { literal: raw.toLowerCase(), constraints: [] };
  let body = raw.slice(1, -1);
  const catchAll = body.startsWith('*');
  body = body.replace(/^\*+/, '');
  let optional = catchAll;
  let defaultValue: string | undefined;
  const eq = indexOutsideParens(body, '=');
  if (eq >= 0) {
    defaultValue = body.slice(eq + 1);
    body = body.slice(0, eq);
    optional = true;
  }
  if (body.endsWith('?')) {
    body = body.slice(0, -1);
    optional = true;
  }
  const [name, ...constraints] = splitOutsideParens(body, ':');
  return { name, catchAll, optional, defaultValue, constraints: constraints.map(toConstraint) };
}

function toConstraint(text: string): Constraint {
  const open = text.indexOf('(');
  const name = (open >= 0 ? text.slice(0, open) : text).toLowerCase();
  if (open >= 0 && text.endsWith(')') && WITH_ARGS[name]) return WITH_ARGS[name](text.slice(open + 1, -1));
  // Unknown constraints make the Functions host reject the route; here they match anything.
  return SIMPLE[name] ?? (() => true);
}

function splitOutsideParens(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth = Math.max(0, depth - 1);
    else if (text[i] === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function indexOutsideParens(text: string, char: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth = Math.max(0, depth - 1);
    else if (text[i] === char && depth === 0) return i;
  }
  return -1;
}

/** The route's parameters when `path` (no leading slash, already below the route prefix) matches. */
export function matchRoute(route: CompiledRoute, path: string): Record<string, string> | null {
  const parts = path.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  let i = 0;
  for (const segment of route.segments) {
    if (segment.catchAll) {
      const rest = parts.slice(i).map(safeDecode).join('/');
      if (rest && !segment.constraints.every((c) => c(rest))) return null;
      if (rest) params[segment.name!] = rest;
      i = parts.length;
      break;
    }
    const part = parts[i];
    if (part === undefined) {
      if (segment.literal !== undefined || !segment.optional) return null;
      if (segment.defaultValue !== undefined) params[segment.name!] = segment.defaultValue;
      continue;
    }
    const value = safeDecode(part);
    if (segment.literal !== undefined) {
      if (value.toLowerCase() !== segment.literal) return null;
    } else {
      if (!segment.constraints.every((c) => c(value))) return null;
      params[segment.name!] = value;
    }
    i++;
  }
  return i === parts.length ? params : null;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
