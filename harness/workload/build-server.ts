// The workload app's service: one endpoint per query, `POST /q/<name>` with the params as a
// JSON array, running the SQL of this instance's version. Kept apart from listen() so tests
// can inject(); server.ts runs it as an instance process. A database error is a 500 carrying
// its SQLSTATE (db-errors.ts), which the load driver counts; it never crashes the process.
import Fastify from 'fastify';
import type pg from 'pg';
import { installDbErrorHandler } from '../app/db-errors.ts';
import type { ResolvedStatement } from './resolve.ts';

export interface WorkloadServerOptions {
  version: string;
  /** Query name → the statements this version runs for it. */
  routes: Record<string, ResolvedStatement[]>;
  pool: pg.Pool;
}

export function buildWorkloadServer({ version, routes, pool }: WorkloadServerOptions) {
  const app = installDbErrorHandler(Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 }));

  app.get('/health', async () => ({ ok: true, version }));

  app.post('/q/:name', async (req, reply) => {
    const name = (req.params as { name: string }).name;
    const statements = Object.hasOwn(routes, name) ? routes[name] : undefined;
    // A query another version has: what a balancer gives a client calling an endpoint before its deploy.
    if (!statements) return reply.code(404).send({ error: `query "${name}" is not served by version ${version}` });
    const params = req.body;
    if (!Array.isArray(params)) return reply.code(400).send({ error: 'the body must be a JSON array of params' });
    const argsOf = (s: ResolvedStatement) => s.params.map((i) => params[i]);
    if (statements.length === 1) {
      const r = await pool.query(statements[0]!.sql, argsOf(statements[0]!));
      return { rowCount: r.rowCount, rows: r.rows };
    }
    // Several statements: one transaction, as the app would run them.
    const client = await pool.connect();
    let last: pg.QueryResult | undefined;
    try {
      await client.query('BEGIN');
      for (const s of statements) last = await client.query(s.sql, argsOf(s));
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    return { rowCount: last?.rowCount ?? 0, rows: last?.rows ?? [] };
  });

  return app;
}
