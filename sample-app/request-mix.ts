// The sample service's traffic: a read-heavy mix with the writes that feel table locks
// (balance updates, inserts, FK-checked orders). Weights are per-request probabilities.
import { pgClient } from '../harness/postgres/client.ts';
import type { RequestFactory, RequestSpec } from '../harness/load/types.ts';

export const DEFAULT_MIX: Record<string, number> = {
  'read-by-id': 0.45,
  'lookup-by-email': 0.15,
  'list-orders': 0.15,
  'update-balance': 0.12,
  'create-order': 0.08,
  'create-user': 0.05,
};

export interface MixTargets {
  maxUserId: number;
  /** Existing emails to look up (sampled from the database at start). */
  emails: string[];
  /** Makes created emails unique per run and variant. */
  tag: string;
}

export function createSampleMix(targets: MixTargets, weights: Record<string, number> = DEFAULT_MIX): RequestFactory {
  const routes = Object.entries(weights);
  const total = routes.reduce((s, [, w]) => s + w, 0);
  let created = 0;
  const userId = (rng: () => number) => 1 + Math.floor(rng() * targets.maxUserId);
  const make: Record<string, (rng: () => number) => RequestSpec> = {
    'read-by-id': (rng) => ({ route: 'read-by-id', method: 'GET', path: `/users/${userId(rng)}` }),
    'lookup-by-email': (rng) => ({
      route: 'lookup-by-email',
      method: 'GET',
      path: `/users/by-email?email=${encodeURIComponent(targets.emails[Math.floor(rng() * targets.emails.length)] ?? 'nobody@example.invalid')}`,
    }),
    'list-orders': (rng) => ({ route: 'list-orders', method: 'GET', path: `/users/${userId(rng)}/orders` }),
    'update-balance': (rng) => ({ route: 'update-balance', method: 'POST', path: `/users/${userId(rng)}/balance`, body: { delta: Math.floor(rng() * 201) - 100 } }),
    'create-order': (rng) => ({ route: 'create-order', method: 'POST', path: '/orders', body: { userId: userId(rng), amountCents: 100 + Math.floor(rng() * 50_000) } }),
    'create-user': () => {
      const n = ++created;
      return { route: 'create-user', method: 'POST', path: '/users', body: { email: `load-${targets.tag}-${n}@example.test`, fullName: `Load User ${n}`, balance: 0 } };
    },
  };
  for (const [name] of routes) if (!make[name]) throw new Error(`unknown route in mix: ${name}`);
  return (rng) => {
    let x = rng() * total;
    for (const [name, w] of routes) {
      x -= w;
      if (x < 0) return make[name]!(rng);
    }
    return make[routes[routes.length - 1]![0]]!(rng);
  };
}

/** The mix for one database: real ids and emails to hit, sampled from it. */
export async function sampleMixFor(databaseUrl: string, tag: string, weights?: Record<string, number>): Promise<RequestFactory> {
  const c = pgClient(databaseUrl, 'rehearse-setup');
  await c.connect();
  try {
    const max = Number((await c.query<{ max: string | null }>('SELECT max(id)::text AS max FROM users')).rows[0]!.max ?? 0);
    // Block sampling reads ~1 % of the pages: cheap even at 10M rows, and spread over the table.
    let emails = (await c.query<{ email: string }>('SELECT email FROM users TABLESAMPLE SYSTEM (1) LIMIT 2000')).rows.map((r) => r.email);
    if (emails.length < 100) emails = (await c.query<{ email: string }>('SELECT email FROM users ORDER BY id LIMIT 2000')).rows.map((r) => r.email);
    return createSampleMix({ maxUserId: max, emails, tag }, weights);
  } finally {
    await c.end();
  }
}
