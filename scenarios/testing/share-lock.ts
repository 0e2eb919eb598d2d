// Ground truth for the latency causes: a step holds SHARE on users for 2 s. Reads are not blocked
// by SHARE, writes are (RowExclusiveLock): the blocked writes hold the app's pool connections, so
// the reads stall too, waiting for a connection. The report must tell the two causes apart.
import { sampleApp } from '../../sample-app/app.ts';
import { defineScenario } from '../../harness/scenario.ts';

export default defineScenario({
  name: 'share-lock',
  description: 'Test scenario: SHARE on users for a known 2 s; writes wait on the lock, reads on the pool.',
  app: sampleApp({ initialVersion: 'old', versions: { old: {} } }),
  variants: {
    hold: {
      description: 'LOCK TABLE users IN SHARE MODE, then pg_sleep(2), in one transaction.',
      steps: [
        { kind: 'pause', name: 'baseline', seconds: 1 },
        { kind: 'sql', name: 'hold', sql: ['LOCK TABLE users IN SHARE MODE', 'SELECT pg_sleep(2)'] },
        { kind: 'pause', name: 'after', seconds: 1 },
      ],
    },
  },
});
