// The classic outage: a report query holds ACCESS SHARE on users; a "fast" ADD COLUMN queues for
// ACCESS EXCLUSIVE behind it, and every query on users queues behind the ALTER. With lock_timeout
// the ALTER gives up after a moment, lets the queue drain, and retries with backoff and jitter.
import { defineScenario } from '../harness/scenario.ts';
import { sampleApp } from '../sample-app/app.ts';
import type { Step } from '../harness/scenario.ts';

/** A report query on users that runs for 3 s: a background session, beside the steps after it. */
const reportQuery: Step = { kind: 'background', name: 'report-query', session: 'long-query', table: 'users', seconds: 3 };

export default defineScenario({
  name: 'lock-queue',
  description: 'ADD COLUMN behind a 3 s report query: without lock_timeout every query on users queues behind it; with lock_timeout and retries they do not.',
  app: sampleApp({ initialVersion: 'old', versions: { old: {} } }),
  variants: {
    naive: {
      description: 'No lock_timeout: the ALTER waits for the report, and every read and write of users waits behind the ALTER.',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // The report starts; it holds ACCESS SHARE on users until it ends (the root of the queue).
        reportQuery,
        // Catalog-only, but it needs ACCESS EXCLUSIVE and waits in the queue as long as the report runs.
        { kind: 'sql', name: 'add-column', sql: 'ALTER TABLE users ADD COLUMN note text', rollback: 'ALTER TABLE users DROP COLUMN note' },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
    safe: {
      description: 'lock_timeout 200 ms, retried with backoff and jitter: each attempt costs a short spike, then the queue drains until the report ends.',
      steps: [
        // Steady state first.
        { kind: 'pause', name: 'baseline', seconds: 1 },
        // The same report query.
        reportQuery,
        // Waits at most 200 ms per attempt (a 200 ms spike for the queries behind it), then rolls back and retries.
        { kind: 'sql', name: 'add-column', sql: 'ALTER TABLE users ADD COLUMN note text', lockTimeoutMs: 200, retries: 30, backoffMs: 200, rollback: 'ALTER TABLE users DROP COLUMN note' },
        // Recovery.
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
  },
});
