// Keeping a cached cluster as small and as clean as a fresh seed: the databases a run made are
// dropped, the statement counters start at zero, and a cleanly stopped cluster keeps only the
// WAL segment its shutdown checkpoint is in (max_wal_size is 8GB for the seed: recycled
// segments would otherwise make the cache gigabytes bigger than the data).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { quoteIdent, withClient } from './client.ts';

const SYSTEM_DATABASES = ['postgres', 'template0', 'template1'];
const DB_SHUTDOWNED = 1; // ControlFileData.state after a clean shutdown
const SEGMENT = /^[0-9A-F]{24}$/;
const SEGMENT_SIZE = 16 * 1024 ** 2; // initdb's default, which every provider of ours uses


const admin = <T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> => withClient(url, 'rehearse-cache', fn);

/** Drops every database but the system ones and `keep` (what a run, or a run that died, left). */
export const dropOtherDatabases = (adminUrl: string, keep: readonly string[]): Promise<void> =>
  admin(adminUrl, async (c) => {
    const { rows } = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE NOT (datname = ANY($1))', [[...SYSTEM_DATABASES, ...keep]]);
    for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
  });

/** Statement counters start at zero, as on a freshly seeded server (they persist across clean restarts). */
export const resetStatementStats = (adminUrl: string): Promise<void> =>
  admin(adminUrl, async (c) => {
    const has = (await c.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`)).rowCount;
    if (has) await c.query('SELECT pg_stat_statements_reset()');
  });

/**
 * After a clean shutdown, removes every WAL segment but the one holding the shutdown checkpoint
 * and the one after it. Reads the checkpoint from global/pg_control (its leading fields have had
 * the same layout since PG 9.3); does nothing unless the state says "shut down" and that segment exists.
 */
export async function trimWal(dataDir: string): Promise<number> {
  const control = await fs.readFile(path.join(dataDir, 'global', 'pg_control'));
  if (control.readInt32LE(16) !== DB_SHUTDOWNED) return 0;
  const checkpoint = control.readBigUInt64LE(32);
  const timeline = control.readUInt32LE(48);
  const segno = checkpoint / BigInt(SEGMENT_SIZE);
  const perId = BigInt(0x100000000 / SEGMENT_SIZE);
  const hex = (n: bigint | number) => n.toString(16).toUpperCase().padStart(8, '0');
  const name = (s: bigint) => `${hex(timeline)}${hex(s / perId)}${hex(s % perId)}`;
  const keep = new Set([name(segno), name(segno + 1n)]);
  const walDir = path.join(dataDir, 'pg_wal');
  const files = await fs.readdir(walDir);
  if (!files.includes(name(segno))) return 0;
  let removed = 0;
  for (const f of files) {
    if (!SEGMENT.test(f) || keep.has(f)) continue;
    await fs.rm(path.join(walDir, f));
    await fs.rm(path.join(walDir, 'archive_status', `${f}.done`), { force: true });
    await fs.rm(path.join(walDir, 'archive_status', `${f}.ready`), { force: true });
    removed++;
  }
  return removed;
}
