// The sample service: a fastify app built by a factory and kept apart from listen(), so tests
// can inject() and the server entry can run it as its own process.
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import { installDbErrorHandler, type AppStats } from '../harness/app/db-errors.ts';
import type { DataAccess } from './data-access.ts';

// bigint ids and balances arrive as strings by default; numbers keep the JSON API stable
// across the int → bigint change (values stay far below 2^53).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface AppVersion {
  name: string;
  data: DataAccess;
}

export interface BuildOptions {
  version: AppVersion;
  pool: pg.Pool;
  logger?: boolean;
}

const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

export function build({ version, pool, logger = false }: BuildOptions): FastifyInstance & { stats: AppStats } {
  // A DB error is a 5xx whose body carries the SQLSTATE, so the load driver can count it.
  const app = installDbErrorHandler(Fastify({ logger }));
  const data = version.data;

  app.get('/health', async () => ({ ok: true, version: version.name }));

  app.get('/users/:id', { schema: { params: idParam } }, async (req, reply) => {
    const user = await data.getUser(pool, (req.params as { id: number }).id);
    return user ?? reply.code(404).send({ error: 'not found' });
  });

  app.get('/users/by-email', { schema: { querystring: { type: 'object', required: ['email'], properties: { email: { type: 'string' } } } } }, async (req, reply) => {
    const user = await data.findUserByEmail(pool, (req.query as { email: string }).email);
    return user ?? reply.code(404).send({ error: 'not found' });
  });

  app.post('/users/:id/balance', {
    schema: { params: idParam, body: { type: 'object', required: ['delta'], properties: { delta: { type: 'integer' } } } },
  }, async (req, reply) => {
    const user = await data.updateBalance(pool, (req.params as { id: number }).id, (req.body as { delta: number }).delta);
    return user ?? reply.code(404).send({ error: 'not found' });
  });

  app.post('/users', {
    schema: { body: { type: 'object', required: ['email', 'fullName'], properties: { email: { type: 'string' }, fullName: { type: 'string' }, balance: { type: 'integer' } } } },
  }, async (req, reply) => {
    const body = req.body as { email: string; fullName: string; balance?: number };
    const user = await data.createUser(pool, { email: body.email, fullName: body.fullName, balance: body.balance ?? 0 });
    return reply.code(201).send(user);
  });

  app.post('/orders', {
    schema: { body: { type: 'object', required: ['userId', 'amountCents'], properties: { userId: { type: 'integer' }, amountCents: { type: 'integer' } } } },
  }, async (req, reply) => {
    const body = req.body as { userId: number; amountCents: number };
    const order = await data.createOrder(pool, body);
    return reply.code(201).send(order);
  });

  app.get('/users/:id/orders', { schema: { params: idParam } }, async (req) => {
    return data.listOrders(pool, (req.params as { id: number }).id, 20);
  });

  return app;
}
