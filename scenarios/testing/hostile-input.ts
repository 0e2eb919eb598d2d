// Test scenario: user strings that try to break out of the HTML report (step, variant and
// scenario names, a SQL comment, a Postgres error message that quotes its input) and a
// connection URL with a password inside an error message. See harness/report/hostile-input.browser.test.ts.
import { sampleApp } from '../../sample-app/app.ts';
import { defineScenario } from '../../harness/scenario.ts';

export const PAYLOAD = '</script><img src=x onerror=alert(1)>';
export const SECRET = 's3cret-pw-7f2c';

export default defineScenario({
  name: `hostile ${PAYLOAD}`,
  description: `Test scenario: ${PAYLOAD} everywhere a user writes text.`,
  app: sampleApp({ initialVersion: 'old', versions: { old: {} } }),
  variants: {
    [`v<svg onload=alert(2)>`]: {
      description: `variant description ${PAYLOAD}`,
      steps: [
        { kind: 'pause', name: PAYLOAD, seconds: 0.3 },
        // An event on the timeline too: its marker must be drawn on the chart.
        { kind: 'fault', name: 'lock', fault: 'hold-lock', table: 'users', holdMs: 300 },
        { kind: 'sql', name: 'commented', sql: `SELECT 1 -- ${PAYLOAD}` },
        // Postgres quotes the bad input in its error message: the payload comes back from the server.
        { kind: 'sql', name: 'fails', sql: `SELECT '${PAYLOAD} postgres://app:${SECRET}@db.internal:5432/prod'::int` },
      ],
    },
  },
});
