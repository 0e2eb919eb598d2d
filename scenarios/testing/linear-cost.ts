// Ground truth for the scale projection: a table rewrite whose cost grows linearly with rows,
// and a catalog-only change whose cost does not.
import { sampleApp } from '../../sample-app/app.ts';
import { defineScenario } from '../../harness/scenario.ts';

export default defineScenario({
  name: 'linear-cost',
  description: 'Test scenario: ALTER COLUMN TYPE (a rewrite, linear in rows) and ADD COLUMN (catalog only).',
  app: sampleApp({ initialVersion: 'old', versions: { old: {} } }),
  variants: {
    rewrite: {
      description: 'Rewrite users, then add a nullable column.',
      steps: [
        { kind: 'pause', name: 'baseline', seconds: 0.5 },
        { kind: 'sql', name: 'rewrite', sql: 'ALTER TABLE users ALTER COLUMN balance TYPE bigint' },
        { kind: 'sql', name: 'add-column', sql: 'ALTER TABLE users ADD COLUMN note text' },
      ],
    },
  },
});
