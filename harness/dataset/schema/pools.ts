// Realistic values are drawn from faker once per kind of value into a pool (faker per value per
// row runs at ~48k rows/s here; a pool lookup costs nothing) and pre-encoded into the exact
// COPY text bytes rows splice in. Each pool has its own faker seeded from (seed, pool name), so a
// pool's content never depends on which other pools a schema happens to need.
import { Faker, base, en } from '@faker-js/faker';
import { escapeCopyText } from '../../seed/copy-stream.ts';
import { hash32 } from '../../seed/prng.ts';
import { saltOf } from './gen.ts';

type Draw = (f: Faker, i: number) => string;

const ascii = (s: string): string =>
  s
    .normalize('NFD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '') || 'x';

const CATEGORY_WORDS: Record<string, string[]> = {
  status: ['active', 'pending', 'inactive', 'archived', 'suspended', 'draft'],
  state: ['open', 'in_progress', 'closed', 'pending', 'cancelled'],
  role: ['member', 'admin', 'owner', 'viewer', 'guest', 'billing'],
  priority: ['medium', 'low', 'high', 'urgent'],
  plan: ['free', 'pro', 'team', 'business', 'enterprise'],
  tier: ['free', 'basic', 'premium', 'enterprise'],
  visibility: ['private', 'public', 'internal'],
  provider: ['google', 'github', 'email', 'microsoft', 'apple'],
  gender: ['female', 'male', 'non_binary', 'unspecified'],
  severity: ['info', 'warning', 'error', 'critical'],
  platform: ['web', 'ios', 'android', 'desktop'],
  channel: ['email', 'web', 'sms', 'push', 'api'],
  default: ['standard', 'basic', 'premium', 'custom', 'other', 'legacy'],
};

const POOLS: Record<string, { size: number; draw: Draw }> = {
  firstName: { size: 2000, draw: (f) => f.person.firstName() },
  lastName: { size: 2000, draw: (f) => f.person.lastName() },
  emailFirst: { size: 2000, draw: (f) => ascii(f.person.firstName()) },
  emailLast: { size: 2000, draw: (f) => ascii(f.person.lastName()) },
  emailDomain: { size: 500, draw: (f) => (f.datatype.boolean(0.6) ? f.helpers.arrayElement(f.definitions.internet.free_email) : f.internet.domainName()).toLowerCase().replace(/[^a-z0-9.-]/g, '') },
  domain: { size: 1000, draw: (f) => f.internet.domainName().toLowerCase().replace(/[^a-z0-9.-]/g, '') },
  word: { size: 1000, draw: (f) => ascii(f.word.sample()) },
  company: { size: 1000, draw: (f) => f.company.name() },
  city: { size: 1000, draw: (f) => f.location.city() },
  region: { size: 300, draw: (f) => f.location.state() },
  address: { size: 2000, draw: (f) => f.location.streetAddress(f.datatype.boolean(0.2)) },
  zip: { size: 1000, draw: (f) => f.location.zipCode() },
  country: { size: 300, draw: (f) => f.location.country() },
  countryCode: { size: 300, draw: (f) => f.location.countryCode('alpha-2') },
  phone: { size: 1000, draw: (f) => f.phone.number() },
  jobTitle: { size: 500, draw: (f) => f.person.jobTitle() },
  title: { size: 2000, draw: (f) => (f.datatype.boolean(0.5) ? f.commerce.productName() : f.company.catchPhrase()) },
  thingName: { size: 2000, draw: (f) => f.commerce.productName() },
  longText: { size: 1000, draw: (f) => f.lorem.paragraphs(f.number.int({ min: 1, max: 3 }), ' ') },
  currency: { size: 200, draw: (f) => (f.datatype.boolean(0.6) ? f.helpers.arrayElement(['USD', 'EUR', 'GBP']) : f.finance.currencyCode()) },
  locale: { size: 100, draw: (f) => f.helpers.weightedArrayElement([{ value: 'en-US', weight: 50 }, { value: 'en-GB', weight: 10 }, { value: 'de-DE', weight: 8 }, { value: 'fr-FR', weight: 8 }, { value: 'es-ES', weight: 8 }, { value: 'pt-BR', weight: 6 }, { value: 'ja-JP', weight: 5 }, { value: 'nl-NL', weight: 5 }]) },
  timezone: { size: 300, draw: (f) => f.location.timeZone() },
  userAgent: { size: 300, draw: (f) => f.internet.userAgent() },
  mimeType: { size: 200, draw: (f) => f.helpers.arrayElement(['image/png', 'image/jpeg', 'application/pdf', 'text/plain', 'text/csv', 'video/mp4', 'application/json', 'image/webp']) },
  fileName: { size: 1000, draw: (f) => `${ascii(f.word.sample())}-${ascii(f.word.sample())}.${f.helpers.arrayElement(['pdf', 'png', 'jpg', 'csv', 'txt', 'docx', 'mp4'])}` },
  urlPath: { size: 1000, draw: (f) => `${ascii(f.word.sample())}/${ascii(f.word.sample())}` },
  json: {
    size: 500,
    draw: (f) => {
      const obj: Record<string, unknown> = {};
      const keys = f.helpers.arrayElements(['theme', 'language', 'notifications', 'timezone', 'beta', 'limits', 'source', 'tags', 'version', 'color', 'plan', 'digest'], { min: 1, max: 5 });
      for (const k of keys) {
        obj[k] = f.helpers.arrayElement([
          () => f.datatype.boolean(),
          () => f.number.int({ max: 1000 }),
          () => ascii(f.word.sample()),
          () => ({ email: f.datatype.boolean(), push: f.datatype.boolean() }),
          () => [ascii(f.word.sample()), ascii(f.word.sample())],
        ])();
      }
      return JSON.stringify(obj);
    },
  },
};

/** Pools of raw strings and of COPY-ready bytes, drawn lazily and kept. */
export class Pools {
  private readonly strings = new Map<string, string[]>();
  private readonly encoded = new Map<string, Buffer[]>();
  constructor(readonly seed: number) {}

  private fakerFor(name: string): Faker {
    const f = new Faker({ locale: [en, base] });
    f.seed(hash32(this.seed, 0, saltOf(name)));
    return f;
  }

  values(name: string): string[] {
    let v = this.strings.get(name);
    if (v) return v;
    if (name.startsWith('category:')) {
      v = CATEGORY_WORDS[name.slice(9)] ?? CATEGORY_WORDS.default!;
    } else {
      const def = POOLS[name];
      if (!def) throw new RangeError(`no pool named ${name}`);
      const f = this.fakerFor(name);
      v = Array.from({ length: def.size }, (_, i) => def.draw(f, i));
    }
    this.strings.set(name, v);
    return v;
  }

  /** COPY text bytes of each value. */
  bytes(name: string): Buffer[] {
    let b = this.encoded.get(name);
    if (!b) this.encoded.set(name, (b = this.values(name).map(encode)));
    return b;
  }

  /** A pool drawn from any faker method path ('internet.email'), for overrides. Throws if there is no such method. */
  faker(path: string, size = 1000): Buffer[] {
    const key = `faker:${path}`;
    let b = this.encoded.get(key);
    if (b) return b;
    const f = this.fakerFor(key);
    let target: unknown = f;
    let owner: unknown = f;
    for (const part of path.split('.')) {
      owner = target;
      target = (target as Record<string, unknown> | undefined)?.[part];
    }
    if (typeof target !== 'function') throw new RangeError(`faker has no method ${path}`);
    const fn = target as (this: unknown) => unknown;
    b = Array.from({ length: size }, () => encode(String(fn.call(owner))));
    this.encoded.set(key, b);
    return b;
  }
}

export const categoryPoolFor = (column: string): string => {
  const w = column.toLowerCase();
  const hit = Object.keys(CATEGORY_WORDS).find((k) => w.endsWith(k));
  return `category:${hit ?? 'default'}`;
};

export const encode = (s: string): Buffer => Buffer.from(escapeCopyText(s.replace(/\0/g, '')), 'utf8');
