// One run at a time may use a warm-start cache entry: the embedded provider runs Postgres on
// the cached data dir itself (no copy, so 10M rows start in about a second). A lease is a file
// created exclusively and holding the owner's pid; a lease whose owner is gone is stale and may
// be broken (the entry's postmaster is stopped first; WAL recovery makes the cluster consistent).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { processAlive, stopPostmasterOf } from './stale-reaper.ts';

const LEASE_FILE = 'lease.pid';

export interface Lease {
  /** true when the previous holder died: the entry may need crash recovery and cleanup. */
  readonly recovered: boolean;
  release(): Promise<void>;
}

/** The pid of a live holder, or null. */
export async function leaseHolder(entryDir: string): Promise<number | null> {
  const pid = Number(await fs.readFile(path.join(entryDir, LEASE_FILE), 'utf8').catch(() => ''));
  return Number.isInteger(pid) && pid > 0 && processAlive(pid) ? pid : null;
}

/** Takes the lease, breaking a stale one; null when a live process holds it. */
export async function acquireLease(entryDir: string): Promise<Lease | null> {
  const file = path.join(entryDir, LEASE_FILE);
  let recovered = false;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(file, String(process.pid), { flag: 'wx' });
      let released = false;
      return {
        recovered,
        release: async () => {
          if (released) return;
          released = true;
          await fs.rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await leaseHolder(entryDir)) return null;
      await stopPostmasterOf(path.join(entryDir, 'data'));
      await fs.rm(file, { force: true });
      recovered = true;
    }
  }
  return null; // another process broke the stale lease first and holds it now
}
