/**
 * ASP.NET-style route templates as Azure Functions uses them: literal segments (case-insensitive),
 * {name}, optional {name?}, defaults {name=value}, constraints {id:int} / {id:alpha} / {id:guid} /
 * {x:bool} / {d:datetime} / {n:long|double|decimal|float}, and a trailing catch-all {*rest}.
 */
interface Segment {
  literal?: string;
  name?: string;
  optional?: boolean;
  catchAll?: boolean;
  defaultValue?: string;
  constraints: string[];
}

export interface CompiledRoute {
  template: string;
  segments: Segment[];
  /** Literal segments first, so more specific routes win. */
  specificity: number;
}

const pattern = (re: RegExp) => (value: string) => re.test(value);
const CONSTRAINTS: Record<string, (value: string) => boolean> = {
  int: pattern(/^-?\d+$/),
  long: pattern(/^-?\d+$/),
  double: pattern(/^-?\d+(\.\d+)?$/),
  float: pattern(/^-?\d+(\.\d+)?$/),
  decimal: pattern(/^-?\d+(\.\d+)?$/),
  bool: pattern(/^(true|false)$/i),
  alpha: pattern(/^[a-z]+$/i),
  guid: pattern(/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i),
  datetime: (value) => !Number.isNaN(Date.parse(value)),
};

export function compileRoute(template: string): CompiledRoute {
  const segments = template
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .filter(Boolean)
    .map((raw): Segment => {
      const m = /^\{(\*)?([^}:=?]+)((?::[^}:=?]+(?:\([^)]*\))?)*)(\?)?(?:=([^}]*))?\}$/.exec(raw);
      if (!m) return { literal: raw.toLowerCase(), constraints: [] };
      const constraints = m[3] ? m[3].split(':').filter(Boolean).map((c) => c.replace(/\(.*\)$/, '').toLowerCase()) : [];
      return { name: m[2], catchAll: !!m[1], optional: !!m[4] || m[5] !== undefined || !!m[1], defaultValue: m[5], constraints };
    });
  const specificity = segments.filter((s) => s.literal !== undefined).length * 100 + segments.length;
  return { template, segments, specificity };
}

/** The route's parameters when `path` (no leading slash, already below the route prefix) matches. */
export function matchRoute(route: CompiledRoute, path: string): Record<string, string> | null {
  const parts = path.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  let i = 0;
  for (const segment of route.segments) {
    if (segment.catchAll) {
      const rest = parts.slice(i).map(safeDecode).join('/');
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
      if (!segment.constraints.every((c) => !CONSTRAINTS[c] || CONSTRAINTS[c](value))) return null;
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
