// Move the profile columns of users (full_name, country) to their own table, user_profiles,
// without downtime: create it, dual-write, copy the old rows in batches, verify by count and by
// checksum, switch reads, stop writing the old columns, drop them.
import { defineScenario } from '../harness/scenario.ts';
import { sampleApp } from '../sample-app/app.ts';
import type { DataAccess, User } from '../sample-app/data-access.ts';

const READ_JOINED = 'SELECT u.id, u.email, p.full_name, u.balance, u.created_at FROM users u JOIN user_profiles p ON p.user_id = u.id';

/** Every new user lands in both tables in one statement (atomic, so no reader sees one without the other). */
const dualWrite: Partial<DataAccess> = {
  async createUser(db, { email, fullName, balance }) {
    const r = await db.query<User>(
      `WITH u AS (INSERT INTO users (email, full_name, balance) VALUES ($1, $2, $3) RETURNING id, email, full_name, country, balance, created_at),
            p AS (INSERT INTO user_profiles (user_id, full_name, country) SELECT id, full_name, country FROM u)
       SELECT id, email, full_name, balance, created_at FROM u`,
      [email, fullName, balance],
    );
    return r.rows[0]!;
  },
};

const readsProfiles: Partial<DataAccess> = {
  async getUser(db, id) {
    return (await db.query<User>(`${READ_JOINED} WHERE u.id = $1`, [id])).rows[0] ?? null;
  },
  async findUserByEmail(db, email) {
    return (await db.query<User>(`${READ_JOINED} WHERE u.email = $1`, [email])).rows[0] ?? null;
  },
  async updateBalance(db, id, delta) {
    const r = await db.query<User>(
      `WITH u AS (UPDATE users SET balance = balance + $2, updated_at = now() WHERE id = $1 RETURNING id, email, balance, created_at)
       SELECT u.id, u.email, p.full_name, u.balance, u.created_at FROM u JOIN user_profiles p ON p.user_id = u.id`,
      [id, delta],
    );
    return r.rows[0] ?? null;
  },
};

/** Writes the profile only to user_profiles: users.full_name is no longer filled. */
const profilesOnly: Partial<DataAccess> = {
  ...readsProfiles,
  async createUser(db, { email, fullName, balance }) {
    const r = await db.query<User>(
      `WITH u AS (INSERT INTO users (email, balance) VALUES ($1, $3) RETURNING id, email, balance, created_at),
            p AS (INSERT INTO user_profiles (user_id, full_name) SELECT id, $2 FROM u RETURNING full_name)
       SELECT u.id, u.email, p.full_name, u.balance, u.created_at FROM u, p`,
      [email, fullName, balance],
    );
    return r.rows[0]!;
  },
};

export default defineScenario({
  name: 'split-table',
  description: 'Move users.full_name and users.country to a new user_profiles table with dual writes, a batched copy, count and checksum verification, a read switch and a drop.',
  app: sampleApp({
    initialVersion: 'old',
    versions: { old: {}, 'dual-write': dualWrite, 'read-profiles': { ...dualWrite, ...readsProfiles }, 'profiles-only': profilesOnly },
  }),
  variants: {
    'expand-contract': {
      description: 'Create user_profiles, dual-write, copy in batches, verify count and checksum, read the new table, stop writing the old columns, drop them.',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // The new table; its FK takes SHARE ROW EXCLUSIVE on users for a moment, so bound the queue wait.
        // full_name on users may be NULL from now on, for code that writes only the new table.
        {
          kind: 'sql', name: 'create-table', lockTimeoutMs: 500,
          sql: [
            'CREATE TABLE user_profiles (user_id bigint PRIMARY KEY REFERENCES users (id), full_name text NOT NULL, country char(2))',
            'ALTER TABLE users ALTER COLUMN full_name DROP NOT NULL',
          ],
          rollback: ['UPDATE users u SET full_name = p.full_name FROM user_profiles p WHERE p.user_id = u.id AND u.full_name IS NULL', 'DROP TABLE user_profiles'],
        },
        // New users go to both tables from now on.
        { kind: 'deploy', name: 'deploy-dual-write', version: 'dual-write' },
        // Copy the existing profiles in batches; rows the dual-write code already wrote are skipped.
        { kind: 'backfill', name: 'copy-profiles', table: 'users', into: { table: 'user_profiles', columns: ['user_id', 'full_name', 'country'], select: 'users.id, users.full_name, users.country' }, batchSize: 5000, delayMs: 10 },
        // Count: every user has a profile.
        { kind: 'verify', name: 'verify-count', sql: 'SELECT count(*) FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id WHERE p.user_id IS NULL' },
        // Checksum: both tables hold the same names and countries (one snapshot, so concurrent writes cannot skew it).
        {
          kind: 'verify', name: 'verify-checksum',
          // One row (a discrepancy) when the checksums differ, none when they agree.
          sql: `SELECT 'checksums differ' AS mismatch
                WHERE (SELECT md5(string_agg(id || ':' || full_name || ':' || coalesce(country, ''), ',' ORDER BY id)) FROM users)
                      IS DISTINCT FROM (SELECT md5(string_agg(user_id || ':' || full_name || ':' || coalesce(country, ''), ',' ORDER BY user_id)) FROM user_profiles)`,
        },
        // Reads move to the new table; writes still fill both, so the old version could come back.
        { kind: 'deploy', name: 'deploy-read-profiles', version: 'read-profiles' },
        // Stop writing the old columns.
        { kind: 'deploy', name: 'deploy-profiles-only', version: 'profiles-only' },
        // Contract: nothing reads or writes them any more; catalog only, but ACCESS EXCLUSIVE, so bounded.
        { kind: 'sql', name: 'drop-old-columns', sql: 'ALTER TABLE users DROP COLUMN full_name, DROP COLUMN country', lockTimeoutMs: 500 },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
  },
});
