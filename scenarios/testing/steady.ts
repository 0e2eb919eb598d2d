// Test scenario for the load conditions themselves (warm-up, CPU saturation, slow start): no schema
// change at all, so everything measured is the machine, the load and the balancer.
import { sampleApp } from '../../sample-app/app.ts';
import { defineScenario } from '../../harness/scenario.ts';

export default defineScenario({
  name: 'steady',
  description: 'Test scenario: load without a migration (a pause, or a deploy of the same code).',
  app: sampleApp({ initialVersion: 'old', versions: { old: {}, same: {} } }),
  variants: {
    idle: {
      description: 'Only load: a 3 s pause.',
      steps: [{ kind: 'pause', name: 'idle', seconds: 3 }],
    },
    redeploy: {
      description: 'A rolling deploy of the same code: every instance replaced by a cold one.',
      steps: [
        { kind: 'pause', name: 'baseline', seconds: 1 },
        { kind: 'deploy', name: 'redeploy', version: 'same' },
        { kind: 'pause', name: 'after', seconds: 4 },
      ],
    },
  },
});
