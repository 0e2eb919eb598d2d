// Realistic values come from faker, but faker costs ~20 µs per value (≈48k rows/s for a
// users row). So we draw each kind of value *once* into a pool and let a cheap seeded PRNG
// combine pool entries per row (see rows.ts). Pools are small; the combinations are not:
// 2000 first × 2000 last names already give 4M distinct full names.
import { Faker, base, en } from '@faker-js/faker';

export interface Pools {
  firstNames: readonly string[];
  lastNames: readonly string[];
  /** Email domains: a mix of the big free providers and company-like domains. */
  domains: readonly string[];
  /** ISO 3166 alpha-2 codes; null entries become NULL country (users who never said). */
  countries: readonly (string | null)[];
  /** Order statuses with a production-like skew (most orders are long delivered). */
  statuses: readonly string[];
}

export const POOL_SIZES = {
  firstNames: 2000,
  lastNames: 2000,
  domains: 1000,
  countries: 1000,
  statuses: 1000,
} as const;

const NULL_COUNTRY_RATE = 0.03;
const FREE_MAIL_RATE = 0.6;

const STATUS_WEIGHTS = [
  { value: 'delivered', weight: 55 },
  { value: 'shipped', weight: 10 },
  { value: 'paid', weight: 10 },
  { value: 'pending', weight: 8 },
  { value: 'cancelled', weight: 10 },
  { value: 'refunded', weight: 7 },
];

/** Same seed ⇒ same pools (for a given faker version, which package-lock pins). */
export function buildPools(seed: number): Pools {
  // A private instance: seeding the global `faker` would perturb anyone else using it.
  const f = new Faker({ locale: [en, base] });
  f.seed(seed);
  const draw = <T>(n: number, fn: () => T): T[] => Array.from({ length: n }, fn);
  const freeMail = f.definitions.internet.free_email;
  return {
    firstNames: draw(POOL_SIZES.firstNames, () => f.person.firstName()),
    lastNames: draw(POOL_SIZES.lastNames, () => f.person.lastName()),
    domains: draw(POOL_SIZES.domains, () =>
      f.datatype.boolean(FREE_MAIL_RATE) ? f.helpers.arrayElement(freeMail) : f.internet.domainName(),
    ),
    countries: draw(POOL_SIZES.countries, () =>
      f.datatype.boolean(NULL_COUNTRY_RATE) ? null : f.location.countryCode('alpha-2'),
    ),
    statuses: draw(POOL_SIZES.statuses, () => f.helpers.weightedArrayElement(STATUS_WEIGHTS)),
  };
}
