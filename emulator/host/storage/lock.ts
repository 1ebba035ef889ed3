/**
 * One process per data folder: two hosts appending to one journal would corrupt it. The lock file holds
 * the owner's pid; a lock whose pid is no longer running (the owner was killed) is taken over.
 */
import * as fs from 'fs';
import * as path from 'path';

export const LOCK_FILE = 'store.lock';

export class DirLock {
  private constructor(private readonly file: string) {}

  static acquire(dir: string): DirLock {
    const file = path.join(dir, LOCK_FILE);
    // Create the content under a private name first and link it into place: the lock never exists
    // without its pid, and link() fails atomically when another process holds the lock.
    const mine = `${file}.${process.pid}`;
    fs.writeFileSync(mine, `${process.pid}\n`);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          fs.linkSync(mine, file);
          return new DirLock(file);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err;
        }
        const owner = readPid(file);
        if (owner !== undefined && isRunning(owner)) {
          throw new Error(
            `data folder ${dir} is in use by process ${owner} (lock file ${file}). Stop that emulator, ` +
              'or use another data folder; delete the lock file only if that process is not an emulator.',
          );
        }
        fs.rmSync(file, { force: true }); // stale: its owner died without closing
      }
    } finally {
      fs.rmSync(mine, { force: true });
    }
  }

  release(): void {
    if (readPid(this.file) === process.pid) fs.rmSync(this.file, { force: true });
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}
