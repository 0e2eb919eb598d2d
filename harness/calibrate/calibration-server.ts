// One instance of the calibration app (run by the fleet like any app instance): a primary-key
// read of the scratch table, so a lock on it blocks every request.
import Fastify from 'fastify';
import { installDbErrorHandler } from '../app/db-errors.ts';
import { serveInstance } from '../app/instance.ts';
import { CALIBRATION_TABLE } from './calibration-app.ts';

await serveInstance((_config, pool) => {
  const app = installDbErrorHandler(Fastify({ logger: false }));
  app.get('/health', async () => ({ ok: true }));
  app.get<{ Params: { id: string } }>('/calibration/:id', async (req) => (await pool.query(`SELECT v FROM ${CALIBRATION_TABLE} WHERE id = $1`, [Number(req.params.id)])).rows[0] ?? null);
  return app;
});
