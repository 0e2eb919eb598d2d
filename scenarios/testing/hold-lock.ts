// Ground truth for the detectors: a step that holds ACCESS EXCLUSIVE on users for exactly 2 s.
import { sampleApp } from '../../sample-app/app.ts';
import { defineScenario } from '../../harness/scenario.ts';

export default defineScenario({
  name: 'hold-lock',
  description: 'Test scenario: ACCESS EXCLUSIVE on users for a known 2 s.',
  app: sampleApp({ initialVersion: 'old', versions: { old: {} } }),
  variants: {
    hold: {
      description: 'LOCK TABLE users IN ACCESS EXCLUSIVE MODE, then pg_sleep(2), in one transaction.',
      steps: [
        { kind: 'pause', name: 'baseline', seconds: 2 },
        { kind: 'sql', name: 'hold-lock', sql: ['LOCK TABLE users IN ACCESS EXCLUSIVE MODE', 'SELECT pg_sleep(2)'] },
        { kind: 'pause', name: 'after', seconds: 2 },
      ],
    },
    fails: {
      description: 'A step that fails: the scenario stops, and the report says what failed.',
      steps: [
        { kind: 'pause', name: 'baseline', seconds: 1 },
        { kind: 'sql', name: 'broken', sql: 'ALTER TABLE no_such_table ADD COLUMN x int' },
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
  },
});
