// The contract between an app instance and the load driver for database errors: a DB error is a
// 500 whose JSON body carries the SQLSTATE ({ sqlstate }), so the driver counts it per SQLSTATE,
// and the instance counts it too (reported to the harness in its stats).
import type { FastifyInstance } from 'fastify';

export interface AppStats {
  /** Requests that failed on a database error, by SQLSTATE. */
  sqlstates: Record<string, number>;
}

/** pg errors carry a 5-character SQLSTATE in `code`; fastify's own codes start with FST_. */
export const sqlstateOfError = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
};

export function installDbErrorHandler(app: FastifyInstance): FastifyInstance & { stats: AppStats } {
  const stats: AppStats = { sqlstates: {} };
  app.decorate('stats', stats);
  app.setErrorHandler((error, _req, reply) => {
    const err = error as Error & { statusCode?: number };
    const sqlstate = sqlstateOfError(err);
    if (sqlstate) {
      stats.sqlstates[sqlstate] = (stats.sqlstates[sqlstate] ?? 0) + 1;
      return reply.code(500).send({ error: 'database error', sqlstate, message: err.message });
    }
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    return reply.code(status).send({ error: err.message });
  });
  return app as FastifyInstance & { stats: AppStats };
}
