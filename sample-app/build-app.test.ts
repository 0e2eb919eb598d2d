import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../harness/seed/scratch-db.ts';
import { seedDatabase } from './dataset/seed.ts';
import { build } from './build-app.ts';
import { baselineDataAccess, withOverrides } from './data-access.ts';

let db: ScratchDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createScratchDatabase(process.env.REHEARSE_TEST_DATABASE_URL!, 'sample_app');
  await seedDatabase(db.url, { users: 500, seed: 3 });
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('sample app', () => {
  it('should serve the six endpoints against the seeded schema', async () => {
    const app = build({ version: { name: 'old', data: baselineDataAccess }, pool });
    const user = await app.inject({ method: 'GET', url: '/users/7' });
    expect(user.statusCode).toBe(200);
    const email = user.json().email;
    expect((await app.inject({ method: 'GET', url: `/users/by-email?email=${encodeURIComponent(email)}` })).json().id).toBe(7);
    expect((await app.inject({ method: 'POST', url: '/users/7/balance', payload: { delta: 5 } })).json().balance).toBe(user.json().balance + 5);
    expect((await app.inject({ method: 'POST', url: '/users', payload: { email: 'new@example.test', fullName: 'N' } })).statusCode).toBe(201);
    expect((await app.inject({ method: 'POST', url: '/orders', payload: { userId: 7, amountCents: 999 } })).statusCode).toBe(201);
    const orders = (await app.inject({ method: 'GET', url: '/users/7/orders' })).json();
    expect(orders[0].amount_cents).toBe(999);
    expect((await app.inject({ method: 'GET', url: '/users/999999' })).statusCode).toBe(404);
    await app.close();
  });

  it('should turn a database error into a 5xx carrying its SQLSTATE, and count it', async () => {
    const broken = withOverrides({ getUser: async (d, id) => (await d.query('SELECT no_such_column FROM users WHERE id = $1', [id])).rows[0] });
    const app = build({ version: { name: 'broken', data: broken }, pool });
    const res = await app.inject({ method: 'GET', url: '/users/1' });
    expect(res.statusCode).toBe(500);
    expect(res.json().sqlstate).toBe('42703');
    expect(app.stats.sqlstates).toEqual({ '42703': 1 });
    await app.close();
  });
});
