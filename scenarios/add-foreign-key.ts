// A foreign key from orders.user_id to users. Added plainly, it validates every order while it
// holds SHARE ROW EXCLUSIVE on both tables: inserts and updates of orders and users wait. NOT VALID
// makes the add brief; VALIDATE then scans under locks that let reads and writes go on.
import { defineScenario } from '../harness/scenario.ts';
import { sampleApp } from '../sample-app/app.ts';

// The seeded schema already has this FK; each variant starts from a schema that grew without it.
const withoutTheFk = { kind: 'sql', name: 'setup-drop-fk', sql: 'ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey', lockTimeoutMs: 500 } as const;

export default defineScenario({
  name: 'add-foreign-key',
  description: 'Add orders.user_id → users(id): plain (SHARE ROW EXCLUSIVE on both tables while it validates) vs NOT VALID + VALIDATE.',
  app: sampleApp({ initialVersion: 'old', versions: { old: {} } }),
  variants: {
    plain: {
      description: 'ADD CONSTRAINT … FOREIGN KEY: validates every order holding SHARE ROW EXCLUSIVE on orders and users.',
      steps: [
        // Setup: the starting point of this scenario (orders without its FK).
        withoutTheFk,
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // One statement: lock both tables against writes, then check every order has its user.
        { kind: 'sql', name: 'add-fk', sql: 'ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id)', rollback: 'ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey' },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
    'not-valid': {
      description: 'ADD … NOT VALID (brief, new rows checked from now on), then VALIDATE CONSTRAINT (SHARE UPDATE EXCLUSIVE on orders, ROW SHARE on users).',
      steps: [
        // Setup: the starting point of this scenario (orders without its FK).
        withoutTheFk,
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // No scan: the SHARE ROW EXCLUSIVE locks are held for milliseconds; lock_timeout bounds the queue wait.
        { kind: 'sql', name: 'add-fk-not-valid', sql: 'ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID', lockTimeoutMs: 500, rollback: 'ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey' },
        // The scan, in its own transaction, under locks that do not conflict with the app's reads and writes.
        { kind: 'sql', name: 'validate', sql: 'ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey' },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
  },
});
