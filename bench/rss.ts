/**
 * Resident memory of a process and its descendants (the emulator and its worker), from /proc (Linux).
 * The peak is sampled: the largest sum of the processes' VmRSS seen, which is what the machine had to
 * hold at once (the sum of their VmHWM would add peaks reached at different moments).
 */
import * as fs from 'node:fs';

const MiB = 1024;

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0; // exited meanwhile
  }
}

/** The process's resident memory now, in MiB. */
export function rssMiB(pid: number): number {
  return statusKiB(pid, 'VmRSS') / MiB;
}

/** The process and every descendant alive now. */
function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The parent pid is the second field after the command, which is in parentheses and may hold spaces.
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
    } catch {
      // exited meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]) ?? []));
  return tree;
}

export interface RssPeak {
  /** Largest sum of VmRSS over the tree seen, MiB. */
  peakMiB: number;
  /** Each process's own high-water mark (VmHWM) at its last sample, MiB, root first. */
  hwmMiB: number[];
}

/** Samples the tree of `root` every `everyMs` until the returned function is called. */
export function sampleRss(root: number, everyMs = 50): () => RssPeak {
  let peakMiB = 0;
  // By pid, in the order first seen: a process that exited keeps its last value.
  const hwm = new Map<number, number>();
  let tree = processTree(root);
  let ticks = 0;
  const sample = () => {
    if (ticks++ % 20 === 0) tree = processTree(root); // the worker may be restarted
    const sum = tree.reduce((total, pid) => total + statusKiB(pid, 'VmRSS'), 0) / MiB;
    peakMiB = Math.max(peakMiB, sum);
    for (const pid of tree) {
      const kib = statusKiB(pid, 'VmHWM');
      if (kib > 0) hwm.set(pid, kib / MiB);
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return () => {
    sample();
    clearInterval(timer);
    return { peakMiB, hwmMiB: [...hwm.values()] };
  };
}

export const formatPeak = (peak: RssPeak) =>
  `${peak.peakMiB.toFixed(0)} MiB (VmHWM ${peak.hwmMiB.map((v) => v.toFixed(0)).join(' + ')} MiB)`;
