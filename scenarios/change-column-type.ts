// users.balance int → bigint, rehearsed two ways on identical data and load.
import { defineScenario } from '../harness/scenario.ts';
import { sampleApp } from '../sample-app/app.ts';
import type { DataAccess, User } from '../sample-app/data-access.ts';

const USER_COLS = 'id, email, full_name, balance, created_at';
const USER_COLS_NEW = 'id, email, full_name, balance_new AS balance, created_at';

/** Writes both columns, from the same old value, so either can be read. Used by dual-write and read-new. */
const dualWrites: Partial<DataAccess> = {
  async updateBalance(db, id, delta) {
    const r = await db.query<User>(
      `UPDATE users SET balance = balance + $2, balance_new = balance::bigint + $2, updated_at = now() WHERE id = $1 RETURNING ${USER_COLS}`,
      [id, delta],
    );
    return r.rows[0] ?? null;
  },
  async createUser(db, { email, fullName, balance }) {
    const r = await db.query<User>(
      // One parameter feeding an int and a bigint column needs explicit casts (else SQLSTATE 42P08).
      `INSERT INTO users (email, full_name, balance, balance_new) VALUES ($1, $2, $3::int, $3::bigint) RETURNING ${USER_COLS}`,
      [email, fullName, balance],
    );
    return r.rows[0]!;
  },
};

/** Reads come from the new column. */
const newReads: Partial<DataAccess> = {
  async getUser(db, id) {
    return (await db.query<User>(`SELECT ${USER_COLS_NEW} FROM users WHERE id = $1`, [id])).rows[0] ?? null;
  },
  async findUserByEmail(db, email) {
    return (await db.query<User>(`SELECT ${USER_COLS_NEW} FROM users WHERE email = $1`, [email])).rows[0] ?? null;
  },
};

export default defineScenario({
  name: 'change-column-type',
  description: 'Widen users.balance from int to bigint on a hot table; and users.email from varchar(255) to text, which is binary-coercible.',
  app: sampleApp({
    initialVersion: 'old',
    versions: {
      old: {},
      'dual-write': dualWrites,
      'read-new': { ...dualWrites, ...newReads },
      // Touches only balance_new, so dropping the old column cannot break it.
      'new-only': {
        ...newReads,
        async updateBalance(db, id, delta) {
          const r = await db.query<User>(
            `UPDATE users SET balance_new = balance_new + $2, updated_at = now() WHERE id = $1 RETURNING ${USER_COLS_NEW}`,
            [id, delta],
          );
          return r.rows[0] ?? null;
        },
        async createUser(db, { email, fullName, balance }) {
          const r = await db.query<User>(
            `INSERT INTO users (email, full_name, balance_new) VALUES ($1, $2, $3) RETURNING ${USER_COLS_NEW}`,
            [email, fullName, balance],
          );
          return r.rows[0]!;
        },
      },
    },
  }),
  variants: {
    naive: {
      description: 'One ALTER COLUMN … TYPE bigint: ACCESS EXCLUSIVE for the whole table rewrite.',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 4 },
        // int → bigint is not binary-coercible: every row is rewritten while ACCESS EXCLUSIVE is held.
        { kind: 'sql', name: 'alter-type', sql: 'ALTER TABLE users ALTER COLUMN balance TYPE bigint' },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 4 },
      ],
    },
    'expand-contract': {
      description: 'Add balance_new, dual-write, backfill in batches, verify, switch reads, stop old writes, drop the old column.',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 4 },
        // Catalog-only, but it needs ACCESS EXCLUSIVE: never wait in the queue for long.
        { kind: 'sql', name: 'expand', sql: 'ALTER TABLE users ADD COLUMN balance_new bigint', lockTimeoutMs: 500, rollback: 'ALTER TABLE users DROP COLUMN balance_new' },
        // Every write now fills both columns; reads still use the old one.
        { kind: 'deploy', name: 'deploy-dual-write', version: 'dual-write' },
        // Copy the old values in batches; rows the dual-write code touched already match and are skipped.
        {
          kind: 'backfill',
          name: 'backfill',
          table: 'users',
          set: 'balance_new = balance',
          where: 'balance_new IS DISTINCT FROM balance',
          batchSize: 5000,
          delayMs: 10,
        },
        // Nothing may differ before reads move.
        { kind: 'verify', name: 'verify-backfill', sql: 'SELECT count(*) FROM users WHERE balance_new IS DISTINCT FROM balance' },
        // Switch reads; writes still fill both, so the previous version could come back.
        { kind: 'deploy', name: 'deploy-read-new', version: 'read-new' },
        // Stop writing the old column.
        { kind: 'deploy', name: 'deploy-new-only', version: 'new-only' },
        // The old column is unused now. The new column keeps its name (balance_new): renaming it
        // back would break the running code, and is its own expand/contract cycle.
        { kind: 'sql', name: 'contract', sql: 'ALTER TABLE users DROP COLUMN balance', lockTimeoutMs: 500 },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 4 },
      ],
    },
    'varchar-to-text': {
      description: 'ALTER COLUMN email TYPE text: varchar(255) → text is binary-coercible, so neither the table nor its unique index is rewritten.',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // The same statement shape as the naive bigint change, but PostgreSQL only rewrites the catalog.
        { kind: 'sql', name: 'alter-type', sql: 'ALTER TABLE users ALTER COLUMN email TYPE text', lockTimeoutMs: 500, rollback: 'ALTER TABLE users ALTER COLUMN email TYPE varchar(255)' },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
  },
});
