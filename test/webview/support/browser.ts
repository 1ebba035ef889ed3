/**
 * Headless Debian Chromium (playwright-core) driving the timeline page served by server.ts, with helpers
 * to send extension messages in, read what the page posted, and collect page errors and CSP violations.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ThemeName } from '../harness/themes';
import { browserBuild } from './build';
import type { TimelineFixture } from './fixtures';
import { ROOT, startServer } from './server';
import type { HarnessServer } from './server';

export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'webview');

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Harness {
  server: HarnessServer;
  browser: Browser;
  close(): Promise<void>;
}

/** Compiles the front-end (once per process), serves it, launches Chromium. */
export async function startHarness(): Promise<Harness> {
  const server = await startServer(await browserBuild());
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  } catch (e) {
    await server.close();
    throw e;
  }
  return {
    server,
    browser,
    close: async () => {
      await browser.close().catch(() => undefined);
      await server.close();
    },
  };
}

export interface OpenOptions {
  theme?: ThemeName;
  width?: number;
  height?: number;
  bundle?: boolean;
  /** Reuse a context. */
  context?: BrowserContext;
  /** Called in Node with every message the page posts (the test plays the extension). */
  onPost?: (message: PostedMessage) => void;
}

export interface PostedMessage {
  type: string;
  [key: string]: unknown;
}

export class TimelinePage {
  readonly errors: string[] = [];

  private constructor(
    readonly page: Page,
    readonly context: BrowserContext,
    private readonly ownsContext: boolean,
  ) {
    page.on('pageerror', (e) => this.errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') this.errors.push(`console: ${m.text()}`);
    });
  }

  static async open(harness: Harness, options: OpenOptions = {}): Promise<TimelinePage> {
    const context = options.context ?? (await harness.browser.newContext({ viewport: { width: options.width ?? 1400, height: options.height ?? 900 }, deviceScaleFactor: 1 }));
    const page = await context.newPage();
    const tp = new TimelinePage(page, context, !options.context);
    if (options.onPost) await page.exposeFunction('__toExtension', options.onPost);
    await page.goto(harness.server.pageUrl({ theme: options.theme, bundle: options.bundle }));
    await tp.waitForPosted('ready');
    return tp;
  }

  /** Reloads the page (sessionStorage, hence the persisted state, survives) and waits for its ready message. */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.waitForPosted('ready');
  }

  async close(): Promise<void> {
    if (this.ownsContext) await this.context.close();
    else await this.page.close();
  }

  send(message: unknown): Promise<void> {
    return this.page.evaluate((m) => (globalThis as any).__vscodeHost.send(m), message);
  }

  /**
   * Sends init for a fixture. With `firstPage`, only that many events go in the init and the page must
   * request the rest (answered in-page from the fixture, as the extension would page them).
   */
  async init(fixture: TimelineFixture, options: { firstPage?: number; now?: string } = {}): Promise<void> {
    const events = fixture.history.events;
    const first = options.firstPage ?? events.length;
    await this.page.evaluate(
      ({ f, first, now }) => {
        const host = (globalThis as any).__vscodeHost;
        host.histories[f.instance.instanceId] = { current: f.history.executionId, [f.history.executionId]: f.history.events };
        host.send({
          type: 'init',
          instance: f.instance,
          history: { executionId: f.history.executionId, from: 0, events: f.history.events.slice(0, first), total: f.history.events.length },
          now,
        });
      },
      { f: fixture, first, now: options.now },
    );
    await this.waitReady();
  }

  /** Waits until the page has all the history rendered (body[data-state=ready]). */
  async waitReady(): Promise<void> {
    await this.page.waitForSelector('body[data-state="ready"]', { timeout: 20000 });
  }

  posted(type?: string): Promise<PostedMessage[]> {
    return this.page.evaluate((t) => (globalThis as any).__vscodeHost.posted.filter((m: { type: string }) => !t || m.type === t), type);
  }

  async waitForPosted(type: string, count = 1): Promise<PostedMessage[]> {
    await this.page.waitForFunction(({ t, n }) => (globalThis as any).__vscodeHost && (globalThis as any).__vscodeHost.posted.filter((m: { type: string }) => m.type === t).length >= n, { t: type, n: count });
    return this.posted(type);
  }

  clearPosted(): Promise<void> {
    return this.page.evaluate(() => (globalThis as any).__vscodeHost.clearPosted());
  }

  cspViolations(): Promise<unknown[]> {
    return this.page.evaluate(() => (globalThis as any).__vscodeHost.cspViolations);
  }

  metrics(): Promise<{ initReceived: number; firstPaint: number; interactive: number; modelBuilds: number; lastBuildMs: number }> {
    return this.page.evaluate(() => ({ ...(globalThis as any).timelineMetrics }));
  }

  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Kinds of the markers in the lane, in time order (a cluster of close markers counts each one). */
  markerKinds(): Promise<string[]> {
    return this.page.$$eval('.lane .marker', (m) => m.flatMap((x: any) => (x.dataset.kinds as string).split(',')));
  }

  /** Labels of the Gantt rows in the DOM, top to bottom. */
  rowLabels(): Promise<string[]> {
    return this.page.$$eval('.gantt .row', (rows) =>
      rows
        .sort((a, b) => Number((a as any).dataset.row) - Number((b as any).dataset.row))
        .map((r) => r.querySelector('.row-label .name')?.textContent ?? ''),
    );
  }

  /** Rows in the DOM with their data attributes. */
  rows(): Promise<Array<{ row: number; kind: string; outcome: string; itemId: string; key: string; selected: boolean; bars: number; label: string; text: string }>> {
    return this.page.$$eval('.gantt .row', (rows) =>
      rows
        .map((r) => {
          const el = r as any;
          return {
            row: Number(el.dataset.row),
            kind: el.dataset.kind ?? '',
            outcome: el.dataset.outcome ?? '',
            itemId: el.dataset.itemId ?? '',
            key: el.dataset.key ?? '',
            selected: el.classList.contains('selected'),
            bars: el.querySelectorAll('.bar').length,
            label: el.querySelector('.row-label .name')?.textContent ?? '',
            text: Array.from(el.querySelectorAll('.bar-text')).map((t: any) => t.textContent).join(' '),
          };
        })
        .sort((a, b) => a.row - b.row),
    );
  }
}
