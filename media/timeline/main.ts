/** Entry point of the history timeline webview (bundled into dist/media/timeline.js): builds the page. */
import './page.js';
