// Copying a stopped cluster (the warm-start cache) as fast as the filesystem allows: GNU cp with
// --reflink=auto shares blocks on btrfs/XFS (instant) and falls back to a kernel-side copy
// elsewhere; macOS cp -c clones on APFS. Both keep modes and owners (postgres insists on 0700).
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function copyTree(src: string, dst: string): Promise<void> {
  await fs.mkdir(path.dirname(dst), { recursive: true });
  if (process.platform === 'linux') {
    await run('cp', ['-a', '--reflink=auto', src, dst]);
  } else if (process.platform === 'darwin') {
    await run('cp', ['-c', '-pR', src, dst]);
  } else {
    await fs.cp(src, dst, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  }
}

/** Bytes on disk under `dir` (apparent sizes; hard links and reflinks are counted in full). */
export async function treeSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    total += (await fs.stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}
