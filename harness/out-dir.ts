// Output directories: created one level at a time and proven writable with a real file.
// Why not fs.mkdir({ recursive: true }): on Node 20 it never returns for a path under /proc
// (mkdir keeps answering ENOENT for the missing parent, and the recursion retries forever).
import { closeSync, fsyncSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { RehearseError } from './errors.ts';

const problem = (dir: string, why: string, cause?: unknown) =>
  new RehearseError('REH_OUT_NOT_WRITABLE', `cannot write reports to ${dir}: ${why}`, { where: dir, cause });

const reason = (err: NodeJS.ErrnoException, at: string): string => {
  switch (err.code) {
    case 'ENOTDIR': return `${at} is a file, not a directory`;
    case 'EEXIST': return `${at} exists and is not a directory`;
    case 'EACCES': case 'EPERM': return `permission denied at ${at}`;
    case 'EROFS': return `${at} is on a read-only file system`;
    case 'ENOSPC': return `no space left on the device of ${at}`;
    case 'ENOENT': return `${at} cannot be created (its parent does not accept new entries)`;
    default: return `${err.code ?? 'error'} at ${at}: ${err.message}`;
  }
};

/** mkdir -p, one level at a time, with an error that names the level that failed. */
export function ensureDir(dir: string): void {
  const missing: string[] = [];
  // Walk up to the nearest existing entry; it must be a directory.
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    try {
      if (statSync(p).isDirectory()) break;
      throw problem(dir, `${p} is a file, not a directory`);
    } catch (err) {
      if (err instanceof RehearseError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: an ancestor is a file; keep walking up to name it.
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || p === path.dirname(p)) throw problem(dir, reason(err as NodeJS.ErrnoException, p), err);
      missing.unshift(p);
    }
  }
  for (const p of missing) {
    try {
      mkdirSync(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statSync(p).isDirectory()) continue;
      throw problem(dir, reason(err as NodeJS.ErrnoException, p), err);
    }
  }
}

/** Creates `dir` if needed and writes, syncs and removes a probe file in it: what a report write will need. */
export function checkWritableDir(dir: string): void {
  ensureDir(dir);
  const probe = path.join(dir, `.rehearse-write-probe-${process.pid}`);
  let fd: number | undefined;
  try {
    fd = openSync(probe, 'w');
    writeSync(fd, 'rehearse write probe\n');
    fsyncSync(fd);
  } catch (err) {
    throw problem(dir, reason(err as NodeJS.ErrnoException, probe), err);
  } finally {
    if (fd !== undefined) closeSync(fd);
    try { unlinkSync(probe); } catch { /* never created */ }
  }
}
