/**
 * The timeline page as the tests and the benchmark load it: the production page plus read-only probes on
 * `window` (`timelineMetrics`, `timelineDebug`). Compiled for the browser by test/webview/support/build.ts; the
 * production entry, media/timeline/main.ts, has no probes.
 */
import { inspection, metrics } from '../../../media/timeline/page.js';

Object.assign(window, { timelineMetrics: metrics, timelineDebug: inspection });
