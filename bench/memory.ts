/**
 * Peak resident memory of the emulator CLI + its worker under the bench's load: the hello sequences of
 * `npm run bench` (50 clients unpaced, 50 paced at 500/s, 1 client), then fan-outs of 1,000, 10,000 and
 * 20,000 activities, all against one CLI process, as users run it.
 * Run: node out/bench/memory.js
 */
import * as path from 'node:path';
import { cleanupAll, startEmulator } from '../test/emulator/support/emulatorProcess';
import { formatPeak, sampleRss } from './rss';
import { fanOut, helloSequence } from './run';

const APP = path.resolve(__dirname, '..', '..', 'bench', 'app');

export async function runMemoryBench(): Promise<void> {
  const emu = await startEmulator({ app: APP });
  const rss = sampleRss(emu.proc.pid!);
  try {
    const hello = await helloSequence(emu.http, 50, 10);
    await helloSequence(emu.http, 50, 10, 500);
    await helloSequence(emu.http, 1, 5);
    console.log(`after the hello sequences (${hello.perSecond.toFixed(0)} /s unpaced): peak RSS of the CLI + worker ${formatPeak(rss())}`);
    const times = [];
    for (const n of [1000, 10_000, 20_000]) times.push(`${n}: ${(await fanOut({ httpUrl: emu.http }, n)).toFixed(0)} ms`);
    console.log(`after fan-outs too (${times.join(', ')}): peak RSS of the CLI + worker ${formatPeak(rss())} (target < 250 MiB)`);
  } finally {
    await emu.stop();
    await cleanupAll();
  }
}

if (require.main === module) {
  runMemoryBench()
    .then(() => process.exit(0))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
