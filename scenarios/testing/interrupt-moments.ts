// Test scenario for the random-interrupt test (harness/cli/random-interrupt.test.ts): one short
// variant that passes through every kind of moment a Ctrl-C can land in: a pause, mid-backfill,
// mid-deploy, a fault being armed, a statement waiting on a lock, a verify.
import { sampleApp } from '../../sample-app/app.ts';
import { defineScenario } from '../../harness/scenario.ts';

export default defineScenario({
  name: 'interrupt-moments',
  description: 'Test scenario: a short run through every step kind, for interrupt tests.',
  app: sampleApp({ initialVersion: 'old', versions: { old: {}, new: {} } }),
  variants: {
    run: {
      description: 'pause, backfill, deploy, an ALTER queued behind a held lock, verify, pause.',
      steps: [
        { kind: 'pause', name: 'baseline', seconds: 0.5 },
        { kind: 'backfill', name: 'backfill', table: 'users', set: "country = 'ZZ'", where: "country IS DISTINCT FROM 'ZZ'", batchSize: 100, delayMs: 25 },
        { kind: 'deploy', name: 'deploy-new', version: 'new' },
        { kind: 'fault', name: 'long-reader', fault: 'hold-lock', table: 'users', mode: 'ACCESS SHARE', holdMs: 1200 },
        { kind: 'sql', name: 'add-column', sql: 'ALTER TABLE users ADD COLUMN note text' },
        { kind: 'verify', name: 'check', sql: "SELECT id FROM users WHERE id <= 3000 AND country IS DISTINCT FROM 'ZZ'" },
        { kind: 'pause', name: 'after', seconds: 0.3 },
      ],
    },
  },
});
