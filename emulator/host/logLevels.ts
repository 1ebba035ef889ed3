/**
 * host.json `logging.logLevel`, applied as the Functions host's logging (Microsoft.Extensions.Logging)
 * applies it: a rule's category matches every category that starts with it (case-insensitive, one `*`
 * wildcard allowed), the longest matching rule wins, and `default` covers the rest.
 */
import type { LogLevel } from '../protocol/worker';

/** The host's level names; `none` turns a category off. */
const LEVELS = ['trace', 'debug', 'information', 'warning', 'error', 'critical', 'none'] as const;
type HostLevel = (typeof LEVELS)[number];

const rank = (level: HostLevel | LogLevel): number => LEVELS.indexOf(level);

interface Rule {
  prefix: string;
  suffix: string;
  min: number;
}

export interface LogLevelFilter {
  /** Whether an entry of `category` at `level` is written. */
  enabled(level: LogLevel, category: string): boolean;
}

/** The host's default: Information and above everywhere. */
export const DEFAULT_LOG_LEVELS: LogLevelFilter = { enabled: (level) => rank(level) >= rank('information') };

/** Parses `logging.logLevel`; entries that are not level names are reported in `warnings` and ignored. */
export function parseLogLevels(config: unknown, warnings: string[]): LogLevelFilter {
  if (config === undefined || config === null) return DEFAULT_LOG_LEVELS;
  if (typeof config !== 'object' || Array.isArray(config)) {
    warnings.push('host.json logging.logLevel must be an object of category: level; using the default (Information).');
    return DEFAULT_LOG_LEVELS;
  }
  let fallback = rank('information');
  const rules: Rule[] = [];
  for (const [category, value] of Object.entries(config)) {
    const level = typeof value === 'string' ? (value.toLowerCase() as HostLevel) : undefined;
    if (!level || !LEVELS.includes(level)) {
      warnings.push(`host.json logging.logLevel '${category}': '${String(value)}' is not one of Trace, Debug, Information, Warning, Error, Critical, None; ignored.`);
      continue;
    }
    if (category.toLowerCase() === 'default') {
      fallback = rank(level);
      continue;
    }
    const star = category.indexOf('*');
    const [prefix, suffix] = star < 0 ? [category, ''] : [category.slice(0, star), category.slice(star + 1)];
    rules.push({ prefix: prefix.toLowerCase(), suffix: suffix.toLowerCase(), min: rank(level) });
  }
  rules.sort((a, b) => b.prefix.length + b.suffix.length - (a.prefix.length + a.suffix.length));
  const minimum = new Map<string, number>();
  const minimumFor = (category: string): number => {
    let min = minimum.get(category);
    if (min === undefined) {
      const lower = category.toLowerCase();
      min = rules.find((r) => lower.startsWith(r.prefix) && lower.endsWith(r.suffix) && lower.length >= r.prefix.length + r.suffix.length)?.min ?? fallback;
      minimum.set(category, min);
    }
    return min;
  };
  return { enabled: (level, category) => rank(level) >= minimumFor(category) };
}
