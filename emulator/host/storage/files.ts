/** Durable file primitives: what survives a crash is only what was fsync'd, names included. */
import { promises as fsp } from 'fs';
import type { FileHandle } from 'fs/promises';
import * as path from 'path';

/** Makes a directory's entries (created, renamed, removed files) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals renames itself.
  if (process.platform === 'win32') return;
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `file` with `bytes` atomically: a crash leaves either the old or the new content, never a mix.
 * `content` is the bytes, or a function that writes them to the handle given. Write a temp file, fsync it, rename it over the target, fsync the directory. `beforeRename` runs just
 * before the rename (to close the target: Windows renames no file that is open).
 */
export async function writeFileAtomic(
  file: string,
  content: Uint8Array | ((handle: FileHandle) => Promise<void>),
  beforeRename?: () => Promise<void>,
): Promise<void> {
  const tmp = `${file}.tmp`;
  const handle = await fsp.open(tmp, 'w');
  try {
    await (typeof content === 'function' ? content(handle) : handle.writeFile(content));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await beforeRename?.();
  await fsp.rename(tmp, file);
  await fsyncDir(path.dirname(file));
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file);
    return true;
  } catch {
    return false;
  }
}
