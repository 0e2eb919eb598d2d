// Test scenario: one variant per fault, on the sample app, to prove each fault is injected, shows
// on the timeline, and that the report says what the app and the migration did.
import { sampleApp } from '../../sample-app/app.ts';
import { defineScenario } from '../../harness/scenario.ts';

// Every seeded user (ids 1..3000 at --rows 3000) must be backfilled however often a batch fails.
const BACKFILL = { kind: 'backfill', name: 'backfill', table: 'users', set: "country = 'ZZ'", where: "country IS DISTINCT FROM 'ZZ'", batchSize: 100, delayMs: 20 } as const;
const VERIFY = { kind: 'verify', name: 'every-row-backfilled', sql: "SELECT id FROM users WHERE id <= 3000 AND country IS DISTINCT FROM 'ZZ'" } as const;

export default defineScenario({
  name: 'faults',
  description: 'Test scenario: each fault a rehearsal can inject, one per variant.',
  app: sampleApp({ initialVersion: 'old', versions: { old: {}, new: {} } }),
  variants: {
    'kill-mid-deploy': {
      description: 'SIGKILL the newest instance 300 ms into a rolling deploy; a replacement of the new version takes its place.',
      steps: [
        { kind: 'pause', name: 'baseline', seconds: 0.5 },
        { kind: 'fault', name: 'kill', fault: 'kill-instance', which: 'newest', afterMs: 300 },
        { kind: 'deploy', name: 'deploy-new', version: 'new' },
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
    'terminate-migration': {
      description: "Terminate the migration's session in the middle of a backfill; the backfill reconnects and resumes from its last key.",
      steps: [
        { kind: 'fault', name: 'terminate', fault: 'terminate-backend', target: 'migration', afterMs: 300 },
        BACKFILL,
        VERIFY,
      ],
    },
    'statement-timeout': {
      description: 'statement_timeout 200 ms on the migration while a SHARE lock on users is held for 900 ms: backfill batches are cancelled and resumed.',
      steps: [
        { kind: 'fault', name: 'timeout', fault: 'statement-timeout', table: 'users', timeoutMs: 200, holdMs: 900, afterMs: 200 },
        BACKFILL,
        VERIFY,
      ],
    },
    'hold-lock': {
      description: 'A session holds ACCESS SHARE on users for 1 s; an ALTER queues behind it, and the app behind the ALTER.',
      steps: [
        { kind: 'pause', name: 'baseline', seconds: 0.5 },
        { kind: 'fault', name: 'long-reader', fault: 'hold-lock', table: 'users', mode: 'ACCESS SHARE', holdMs: 1000 },
        { kind: 'sql', name: 'add-column', sql: 'ALTER TABLE users ADD COLUMN note text' },
        { kind: 'pause', name: 'after', seconds: 0.5 },
      ],
    },
    'connection-storm': {
      description: '200 extra connections hammer the app for 1.5 s, far more than its pools hold.',
      steps: [
        { kind: 'fault', name: 'storm', fault: 'connection-storm', connections: 200, durationMs: 1500, afterMs: 300 },
        { kind: 'pause', name: 'during-storm', seconds: 2.5 },
      ],
    },
    'terminate-app': {
      description: "Terminate every session of the app's pools, as a failover would.",
      steps: [
        { kind: 'fault', name: 'failover', fault: 'terminate-backend', target: 'app', afterMs: 500 },
        { kind: 'pause', name: 'steady', seconds: 3 },
      ],
    },
  },
});
