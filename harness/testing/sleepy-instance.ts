// Test app instance: speaks the fleet's instance protocol (serveInstance) and serves
// GET /sleep/<ms>, a request that takes a known time, so a test can have one in flight to an
// instance while it is deployed away. It never touches its database.
import Fastify from 'fastify';
import { installDbErrorHandler } from '../app/db-errors.ts';
import { serveInstance } from '../app/instance.ts';
import { sleep } from '../clock.ts';

await serveInstance((config) => {
  const app = installDbErrorHandler(Fastify());
  app.get('/health', async () => ({ ok: true }));
  app.get<{ Params: { ms: string } }>('/sleep/:ms', async (req) => {
    await sleep(Number(req.params.ms));
    return { instance: config.instanceId, version: config.version };
  });
  return app;
});
