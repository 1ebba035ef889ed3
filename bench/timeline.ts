/**
 * Timeline webview benchmark: time to first paint and to interactive for 1,000 and 10,000 events, in
 * headless Chromium, measured inside the page from the init message (what the extension posts) to the
 * frame that shows the timeline (first paint) and to the whole history paged in, rendered and a frame
 * shown (interactive). Also the frame time while scrolling the big timeline, and how many rows the DOM
 * holds. `node out/bench/timeline.js [runs]` (default 5 runs per case; prints medians and best).
 */
import { startHarness, TimelinePage } from '../test/webview/support/browser';
import type { Harness } from '../test/webview/support/browser';
import { generateHistory } from '../test/webview/support/generate';

interface Sample {
  firstPaint: number;
  interactive: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number) => `${n.toFixed(0).padStart(5)} ms`;

async function measure(harness: Harness, events: number, firstPage: number | undefined, runs: number): Promise<{ samples: Sample[]; rows: { timeline: number; table: number }; scroll?: { p50: number; p95: number } }> {
  const fixture = generateHistory({ events, seed: 42 });
  const samples: Sample[] = [];
  let rows = { timeline: 0, table: 0 };
  let scroll: { p50: number; p95: number } | undefined;
  for (let run = 0; run < runs; run++) {
    const page = await TimelinePage.open(harness, { width: 1600, height: 1000 });
    try {
      // Hand the history to the page first, so the timing covers the webview only (not the test's IPC).
      await page.page.evaluate((f) => ((globalThis as any).__benchFixture = f), fixture);
      await page.page.evaluate((first) => {
        const g = globalThis as any;
        const f = g.__benchFixture;
        g.__vscodeHost.histories[f.instance.instanceId] = { current: f.history.executionId, [f.history.executionId]: f.history.events };
        const n = first ?? f.history.events.length;
        g.__vscodeHost.send({ type: 'init', instance: f.instance, history: { executionId: f.history.executionId, from: 0, events: f.history.events.slice(0, n), total: f.history.events.length } });
      }, firstPage);
      await page.waitReady();
      const m = await page.metrics();
      samples.push({ firstPaint: m.firstPaint, interactive: m.interactive });
      rows = await page.page.evaluate(() => (globalThis as any).timelineDebug.renderedRows());
      if (run === 0 && events >= 10_000) scroll = await scrollFrames(page);
    } finally {
      await page.close();
    }
  }
  return { samples, rows, scroll };
}

/** Scrolls the timeline down in 60 steps, one per frame, and returns the frame times (ms). */
async function scrollFrames(page: TimelinePage): Promise<{ p50: number; p95: number }> {
  const frames: number[] = await page.page.evaluate(
    () =>
      new Promise<number[]>((resolve) => {
        const g = globalThis as any;
        const s = g.document.querySelector('.gantt-scroll');
        const out: number[] = [];
        let last = g.performance.now();
        let step = 0;
        const tick = () => {
          const now = g.performance.now();
          if (step > 0) out.push(now - last);
          last = now;
          if (step++ >= 60) return resolve(out);
          s.scrollTop += 500;
          s.scrollLeft += 3;
          g.requestAnimationFrame(tick);
        };
        g.requestAnimationFrame(tick);
      }),
  );
  const sorted = [...frames].sort((a, b) => a - b);
  return { p50: median(frames), p95: sorted[Math.floor(sorted.length * 0.95)] };
}

export async function runTimelineBench(runs = 5): Promise<void> {
  const harness = await startHarness();
  try {
    console.log(`Timeline webview (headless Chromium, ${runs} runs each; in-page time from the init message)`);
    console.log('  events  paging                      first paint (median / best)   interactive (median / best)   DOM rows (timeline, table)');
    const cases: Array<[number, number | undefined, string]> = [
      [1_000, undefined, 'all in init'],
      [10_000, undefined, 'all in init'],
      [10_000, 1_000, 'init 1,000 + pages of 5,000'],
    ];
    for (const [events, firstPage, label] of cases) {
      const r = await measure(harness, events, firstPage, runs);
      const fp = r.samples.map((s) => s.firstPaint);
      const ti = r.samples.map((s) => s.interactive);
      console.log(
        `  ${events.toLocaleString('en-US').padStart(6)}  ${label.padEnd(28)}${fmt(median(fp))} / ${fmt(Math.min(...fp))}            ${fmt(median(ti))} / ${fmt(Math.min(...ti))}            ${r.rows.timeline}, ${r.rows.table}`,
      );
      if (r.scroll) console.log(`          scrolling the 10,000-event timeline: frame time p50 ${r.scroll.p50.toFixed(1)} ms, p95 ${r.scroll.p95.toFixed(1)} ms`);
    }
    console.log('  target: 10,000 events interactive in under 1,000 ms');
  } finally {
    await harness.close();
  }
}

if (require.main === module) {
  runTimelineBench(Number(process.argv[2]) || 5).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
