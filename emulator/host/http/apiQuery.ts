/**
 * Query strings read the way the extension's HttpApiHandler reads them: names are case-insensitive, a
 * repeated name gives its values joined with commas, values are trimmed, and a value that does not
 * parse (bool.TryParse, double.TryParse, int.TryParse, DateTime.TryParse, Enum.TryParse) counts as absent.
 */
import { RuntimeStatus } from '../../protocol/durable';

export class ApiQuery {
  private readonly values = new Map<string, string[]>();

  constructor(params: URLSearchParams) {
    for (const [name, value] of params) {
      const key = name.trim().toLowerCase();
      this.values.set(key, [...(this.values.get(key) ?? []), value.trim()]);
    }
  }

  /** The value as NameValueCollection[name] gives it: all values joined with ',', or undefined. */
  get(name: string): string | undefined {
    return this.values.get(name.toLowerCase())?.join(',');
  }

  /** bool.TryParse: "true"/"false" in any case, else the fallback. */
  flag(name: string, fallback: boolean): boolean {
    const value = this.get(name)?.toLowerCase();
    return value === 'true' ? true : value === 'false' ? false : fallback;
  }

  /** double.TryParse of seconds, in milliseconds; undefined when absent or not a finite number. */
  seconds(name: string): number | undefined {
    const value = this.get(name);
    if (value === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value)) return undefined;
    return Number(value) * 1000;
  }

  /** int.TryParse. */
  integer(name: string): number | undefined {
    const value = this.get(name);
    if (value === undefined || !/^[+-]?\d+$/.test(value)) return undefined;
    const n = Number(value);
    return n >= -2147483648 && n <= 2147483647 ? n : undefined;
  }

  /** DateTime.TryParse, as epoch ms. */
  time(name: string): number | undefined {
    const value = this.get(name);
    if (!value) return undefined;
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }

  /**
   * Enum.TryParse of each comma-separated value (names are case-sensitive; the enum's numbers work too);
   * values that do not parse are skipped. `Canceled` is a valid status that no instance here ever has.
   */
  statuses(name: string): (RuntimeStatus | 'Canceled')[] {
    const out: (RuntimeStatus | 'Canceled')[] = [];
    for (const raw of (this.get(name) ?? '').split(',')) {
      const value = raw.trim();
      const status = /^\d+$/.test(value) ? STATUS_BY_NUMBER[Number(value)] : STATUS_BY_NUMBER.find((s) => s === value);
      if (status) out.push(status);
    }
    return out;
  }
}

/** DurableTask.Core OrchestrationStatus / OrchestrationRuntimeStatus in enum order. */
const STATUS_BY_NUMBER: (RuntimeStatus | 'Canceled')[] = ['Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Canceled', 'Terminated', 'Pending', 'Suspended'];
