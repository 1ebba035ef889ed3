/** Time ↔ pixels for the Gantt, and axis ticks at "nice" steps (no DOM). */

const STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  1000, 2000, 5000, 10_000, 15_000, 30_000,
  60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
  3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000,
  86_400_000, 172_800_000, 604_800_000,
];

/** Largest content width (px): browsers cap element sizes at ~33M px; stay well under. */
export const MAX_CONTENT_PX = 4_000_000;
/** Deepest zoom: 1 ms = 40 px. */
export const MAX_PX_PER_MS = 40;

export class TimeScale {
  constructor(
    /** Time at x = 0 of the chart area (ms). */
    readonly origin: number,
    readonly pxPerMs: number,
  ) {}

  x(time: number): number {
    return (time - this.origin) * this.pxPerMs;
  }

  time(x: number): number {
    return this.origin + x / this.pxPerMs;
  }

  /** Tick step (ms) so that ticks are at least `minPx` apart. */
  step(minPx = 90): number {
    for (const s of STEPS) if (s * this.pxPerMs >= minPx) return s;
    return STEPS[STEPS.length - 1];
  }

  /** Tick offsets from the origin (ms) within [fromX, toX]. */
  ticks(fromX: number, toX: number, minPx = 90): { step: number; offsets: number[] } {
    const step = this.step(minPx);
    const first = Math.max(0, Math.floor((fromX / this.pxPerMs) / step) * step);
    const offsets: number[] = [];
    for (let o = first; o * this.pxPerMs <= toX && offsets.length < 500; o += step) offsets.push(o);
    return { step, offsets };
  }
}

/** Pixels per ms that fit `durationMs` into `widthPx`. */
export function fitScale(durationMs: number, widthPx: number): number {
  return Math.min(MAX_PX_PER_MS, Math.max(1e-9, widthPx) / Math.max(1, durationMs));
}

/** Clamps a zoom so that the content stays drawable, and never zooms out past "fit". */
export function clampZoom(pxPerMs: number, fit: number, durationMs: number): number {
  const max = Math.min(MAX_PX_PER_MS, MAX_CONTENT_PX / Math.max(1, durationMs));
  return Math.min(Math.max(pxPerMs, fit), Math.max(fit, max));
}

/** First index in a sorted-by-key array whose key is >= value (binary search). */
export function lowerBound<T>(items: readonly T[], value: number, key: (item: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(items[mid]) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
