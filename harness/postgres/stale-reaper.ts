// If a harness process dies without cleaning up (SIGKILL, OOM, a crashed CI runner), its
// postgres keeps running and its data dir stays. Like testcontainers' Ryuk, but without a
// sidecar: each work dir records its owner pid, and the next start reaps dirs whose owner is gone.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sleep } from '../clock.ts';

const OWNER_FILE = 'owner.pid';

/** The process exists (EPERM: it exists but is another user's, e.g. postgres). */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export const markOwner = (workDir: string): void => writeFileSync(path.join(workDir, OWNER_FILE), String(process.pid));

/** Immediate shutdown of the postmaster running on `dataDir`, if any (its data is disposable or recovered by WAL). */
export async function stopPostmasterOf(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const postmaster = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : NaN;
  if (!Number.isInteger(postmaster) || !alive(postmaster)) return;
  process.kill(postmaster, 'SIGQUIT');
  for (let i = 0; i < 50 && alive(postmaster); i++) await sleep(100);
  if (alive(postmaster)) process.kill(postmaster, 'SIGKILL');
}

export { alive as processAlive };

/** Stops the postgres of every abandoned work dir under `root` whose name starts with `prefix`, and removes the dir. */
export async function reapStale(root: string, prefix: string): Promise<string[]> {
  const reaped: string[] = [];
  for (const name of readdirSync(root)) {
    if (!name.startsWith(prefix)) continue;
    const dir = path.join(root, name);
    const ownerFile = path.join(dir, OWNER_FILE);
    if (!existsSync(ownerFile)) continue; // not ours, or still being created
    const owner = Number(readFileSync(ownerFile, 'utf8'));
    if (!Number.isInteger(owner) || alive(owner)) continue;
    await stopPostmasterOf(path.join(dir, 'data'));
    rmSync(dir, { recursive: true, force: true });
    reaped.push(dir);
  }
  return reaped;
}
