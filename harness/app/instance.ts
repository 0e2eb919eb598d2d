// The process side of an app instance, shared by every app implementation: read the instance
// config the fleet put in the environment, open the pg pool with the app settings, listen on
// loopback, and speak the fleet's IPC protocol: 'ready' with the port, 'stats' every 200 ms
// (pool waiting count, SQLSTATE counts), a Server-Timing header on every response (pool wait,
// query time, backend pid), drain and exit on 'shutdown', exit if the harness dies.
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { pgPool } from '../postgres/client.ts';
import type { AppStats } from './db-errors.ts';
import { sendServerTiming, timePool } from './request-timing.ts';
import type { AppSettings } from './types.ts';

/** Set by the fleet in the environment (not argv, so the database URL never shows in `ps`). */
export const INSTANCE_ENV = 'REHEARSE_INSTANCE';

export interface InstanceConfig {
  instanceId: string;
  version: string;
  databaseUrl: string;
  settings: AppSettings;
}

export const readInstanceConfig = (): InstanceConfig => {
  const raw = process.env[INSTANCE_ENV];
  if (!raw) throw new Error(`${INSTANCE_ENV} is not set: app instances are started by the rehearse fleet`);
  return JSON.parse(raw) as InstanceConfig;
};

export const instancePool = (c: InstanceConfig): pg.Pool => {
  return pgPool({
    connectionString: c.databaseUrl,
    max: c.settings.poolSize,
    application_name: `rehearse-app/${c.instanceId}/${c.version}`,
    ...(c.settings.statementTimeoutMs !== null ? { statement_timeout: c.settings.statementTimeoutMs } : {}),
    ...(c.settings.lockTimeoutMs !== null ? { lock_timeout: c.settings.lockTimeoutMs } : {}),
  });
};

type Built = FastifyInstance & { stats: AppStats };

export async function serveInstance(build: (c: InstanceConfig, pool: pg.Pool) => Built | Promise<Built>): Promise<void> {
  const send = (msg: unknown) => process.send?.(msg);
  try {
    const config = readInstanceConfig();
    const pool = instancePool(config);
    timePool(pool); // pool wait and query time per request, sent as Server-Timing (request-timing.ts)
    const app = await build(config, pool);
    sendServerTiming(app);
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
  } catch (err) {
    send({ type: 'fatal', message: (err as Error).stack ?? String(err) });
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  }
}
