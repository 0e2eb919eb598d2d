// The sample app's dataset as a DatasetSource: `--rows N` (or `--rows users=N`) sets the users;
// orders follow at 0..6 per user (≈3). See tables.ts for the shapes and seed.ts for the load.
import { RehearseError } from '../../harness/errors.ts';
import type { DatasetSource, RowsSpec } from '../../harness/dataset/types.ts';
import { seedDatabase } from './seed.ts';

/** Bumped whenever the bytes a seed renders change; part of the warm-start cache key. */
export const SAMPLE_GENERATOR_VERSION = 2; // 2: users.email is varchar(255)
export const DEFAULT_SAMPLE_USERS = 1_000_000;
/**
 * On-disk bytes per user with its ≈3 orders and all indexes, measured on PG 18 (200,000 users:
 * 109 MB), plus what an empty database takes. Only for the disk-space preflight.
 */
export const SAMPLE_BYTES_PER_USER = 550;
const EMPTY_DATABASE_BYTES = 8_000_000;

export function sampleUsers(rows: RowsSpec): number {
  const unknown = Object.keys(rows.tables).filter((t) => t !== 'users');
  if (unknown.length) {
    throw new RehearseError('REH_CLI_BAD_VALUE', `--rows names ${unknown.map((t) => `"${t}"`).join(', ')}, but the sample dataset only takes users (orders follow at ≈3 per user)`, {
      hint: 'Use `--rows 1000000` or `--rows users=1000000`.',
    });
  }
  return rows.tables.users ?? rows.default ?? DEFAULT_SAMPLE_USERS;
}

export const sampleDataset = (): DatasetSource => ({
  description: 'sample users/orders',
  cacheKey: { dataset: 'sample-users-orders', generator: SAMPLE_GENERATOR_VERSION },
  estimateBytes(rows) {
    const users = sampleUsers(rows);
    return { bytes: EMPTY_DATABASE_BYTES + users * SAMPLE_BYTES_PER_USER, explain: `${users.toLocaleString('en-US')} users × ≈${SAMPLE_BYTES_PER_USER} bytes (a user, its ≈3 orders and their indexes)` };
  },
  async seed(url, opts) {
    const r = await seedDatabase(url, { users: sampleUsers(opts.rows), seed: opts.seed, onProgress: opts.onProgress, signal: opts.signal });
    return { tables: { users: r.users, orders: r.orders }, seconds: r.seconds, rowsPerSec: r.rowsPerSec, phases: r.phases, notes: [] };
  },
});
