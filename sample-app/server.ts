// Entry point of one sample-app instance, run as its own process by harness/app/fleet.ts.
// It talks to the harness over the IPC channel: 'ready' with its port, periodic 'stats'
// (pg pool waiting count, SQLSTATE counts), and it drains and exits on 'shutdown'.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { build } from './build-app.ts';
import { withOverrides } from './data-access.ts';
import type { ScenarioDefinition } from '../harness/scenario.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string' },
    version: { type: 'string' },
    db: { type: 'string' },
    pool: { type: 'string', default: '10' },
    instance: { type: 'string', default: 'app' },
  },
});

const send = (msg: unknown) => process.send?.(msg);

async function main() {
  const scenario = (await import(pathToFileURL(values.scenario!).href)).default as ScenarioDefinition;
  const overrides = scenario.app.versions[values.version!];
  if (!overrides) throw new Error(`unknown app version ${values.version}`);
  const pool = new pg.Pool({
    connectionString: values.db,
    max: Number(values.pool),
    application_name: `rehearse-app/${values.instance}/${values.version}`,
  });
  // An idle client error (e.g. the server terminated it) must not kill the process.
  pool.on('error', () => {});
  const app = build({ version: { name: values.version!, data: withOverrides(overrides) }, pool });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  const stats = setInterval(() => {
    send({ type: 'stats', poolWaiting: pool.waitingCount, poolTotal: pool.totalCount, poolIdle: pool.idleCount, sqlstates: app.stats.sqlstates });
  }, 200);

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    clearInterval(stats);
    await app.close(); // finishes in-flight requests
    await pool.end();
    process.exit(0);
  };
  process.on('message', (m: { type?: string }) => m?.type === 'shutdown' && void shutdown());
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => {}); // the harness decides; Ctrl-C reaches the whole group
  // The harness died: do not linger as an orphan.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', port });
}

main().catch((err) => {
  send({ type: 'fatal', message: (err as Error).stack ?? String(err) });
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
