// users.full_name → display_name while app instances serve traffic. A RENAME is catalog-only,
// but every instance still running the old code asks for full_name and gets SQLSTATE 42703
// (undefined_column) until the deploy has replaced it. Expand/contract never breaks either version.
import { defineScenario } from '../harness/scenario.ts';
import { sampleApp } from '../sample-app/app.ts';
import type { DataAccess, User } from '../sample-app/data-access.ts';

// The API keeps its field name; only the column changes.
const COLS_NEW = 'id, email, display_name AS full_name, balance, created_at';

const readsNew: Partial<DataAccess> = {
  async getUser(db, id) {
    return (await db.query<User>(`SELECT ${COLS_NEW} FROM users WHERE id = $1`, [id])).rows[0] ?? null;
  },
  async findUserByEmail(db, email) {
    return (await db.query<User>(`SELECT ${COLS_NEW} FROM users WHERE email = $1`, [email])).rows[0] ?? null;
  },
  async updateBalance(db, id, delta) {
    const r = await db.query<User>(`UPDATE users SET balance = balance + $2, updated_at = now() WHERE id = $1 RETURNING ${COLS_NEW}`, [id, delta]);
    return r.rows[0] ?? null;
  },
};

/** Writes the name to both columns, so either can be read. */
const writesBoth: Partial<DataAccess> = {
  async createUser(db, { email, fullName, balance }) {
    const r = await db.query<User>(
      'INSERT INTO users (email, full_name, display_name, balance) VALUES ($1, $2, $2, $3) RETURNING id, email, full_name, balance, created_at',
      [email, fullName, balance],
    );
    return r.rows[0]!;
  },
};

/** Knows only display_name: what the naive plan deploys right after the rename, and the end state of expand/contract. */
const newOnly: Partial<DataAccess> = {
  ...readsNew,
  async createUser(db, { email, fullName, balance }) {
    const r = await db.query<User>(`INSERT INTO users (email, display_name, balance) VALUES ($1, $2, $3) RETURNING ${COLS_NEW}`, [email, fullName, balance]);
    return r.rows[0]!;
  },
};

export default defineScenario({
  name: 'rename-column',
  description: 'Rename users.full_name to display_name while old and new app instances serve traffic.',
  app: sampleApp({
    initialVersion: 'old',
    versions: { old: {}, 'dual-write': writesBoth, 'read-new': { ...writesBoth, ...readsNew }, 'new-only': newOnly },
  }),
  variants: {
    naive: {
      description: 'RENAME COLUMN, then deploy the code that uses the new name: old instances fail with 42703 until they are replaced.',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // Catalog-only and quick, but from this moment the running code asks for a column that no longer exists.
        { kind: 'sql', name: 'rename', sql: 'ALTER TABLE users RENAME COLUMN full_name TO display_name', lockTimeoutMs: 500 },
        // A rolling deploy takes time per instance; each old one keeps failing until it is drained.
        { kind: 'deploy', name: 'deploy-new', version: 'new-only' },
        // The errors stop once no old instance is left.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
    'expand-contract': {
      description: 'Add display_name, dual-write, backfill, verify, read the new column, stop writing the old one, drop it.',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // Expand: the new column (catalog only); full_name may be NULL from now on, so code that no longer writes it can insert.
        {
          kind: 'sql', name: 'expand', sql: 'ALTER TABLE users ADD COLUMN display_name text, ALTER COLUMN full_name DROP NOT NULL', lockTimeoutMs: 500,
          // Rows created by new-only code have no full_name: give it back before the new column goes.
          rollback: ['UPDATE users SET full_name = display_name WHERE full_name IS NULL', 'ALTER TABLE users DROP COLUMN display_name'],
        },
        // Every write now fills both columns; reads still use the old one.
        { kind: 'deploy', name: 'deploy-dual-write', version: 'dual-write' },
        // Copy the old rows in batches; rows written by dual-write code already match and are skipped.
        { kind: 'backfill', name: 'backfill', table: 'users', set: 'display_name = full_name', where: 'display_name IS DISTINCT FROM full_name', batchSize: 5000, delayMs: 10 },
        // Nothing may differ before reads move.
        { kind: 'verify', name: 'verify-backfill', sql: 'SELECT count(*) FROM users WHERE display_name IS DISTINCT FROM full_name' },
        // Switch reads; writes still fill both, so the previous version could come back.
        { kind: 'deploy', name: 'deploy-read-new', version: 'read-new' },
        // Stop writing the old column.
        { kind: 'deploy', name: 'deploy-new-only', version: 'new-only' },
        // Contract: nothing uses full_name any more.
        { kind: 'sql', name: 'contract', sql: 'ALTER TABLE users DROP COLUMN full_name', lockTimeoutMs: 500 },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
  },
});
