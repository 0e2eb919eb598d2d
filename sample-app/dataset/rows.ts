// Per-row generation: pool entries combined by a counter-seeded PRNG, written straight to
// COPY text bytes. Everything a row needs is a pure function of (seed, id), which is what
// lets users and orders stream on separate connections and still agree with each other.
import { ByteWriter, MAX_UINT_BYTES, NEWLINE, TAB, TIMESTAMP_BYTES } from '../../harness/seed/byte-writer.ts';
import { NULL_FIELD, escapeCopyText, type RowSource } from '../../harness/seed/copy-stream.ts';
import {
  MAX_AMOUNT_CENTS,
  MAX_BALANCE,
  MAX_ORDERS_PER_USER,
  MIN_AMOUNT_CENTS,
  NEVER_UPDATED_RATE,
  ORDER_WINDOW_SEC,
  TIME_WINDOW,
  UPDATE_WINDOW_SEC,
  ZERO_BALANCE_RATE,
} from './tables.ts';
import type { Pools } from './pools.ts';
import { Prng, hash32, hashFloat } from '../../harness/seed/prng.ts';

// Distinct salts give independent random streams per purpose for the same id.
const SALT_USER = 0x75736572;
const SALT_CREATED = 0x63726561;
const SALT_ORDER_COUNT = 0x636e7421;
const SALT_ORDERS = 0x6f726473;

const DOT = 46;
const AT = 64;
const SPACE = 32;
const NULL_BYTES = Buffer.from(NULL_FIELD, 'latin1');

/** Lowercase ASCII letters/digits only, so "D'angelo" and odd test names still make valid emails. */
const emailPart = (name: string): string =>
  name
    .normalize('NFD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '') || 'x';

/** Domains keep their dots and hyphens; anything else a domain cannot hold is dropped. */
const domainPart = (domain: string): string => domain.toLowerCase().replace(/[^a-z0-9.-]/g, '') || 'example.com';

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const longest = (xs: readonly Uint8Array[]): number => xs.reduce((m, x) => Math.max(m, x.length), 0);

/** Pools pre-rendered once into the exact bytes each row splices in. */
interface EncodedPools {
  nameFirst: Buffer[];
  nameLast: Buffer[];
  emailFirst: Buffer[];
  emailLast: Buffer[];
  domains: Buffer[];
  countries: Buffer[];
  statuses: Buffer[];
}

const encodePools = (p: Pools): EncodedPools => {
  for (const [name, xs] of Object.entries(p)) {
    if ((xs as unknown[]).length === 0) throw new RangeError(`pool ${name} is empty`);
  }
  return {
    nameFirst: p.firstNames.map((s) => utf8(escapeCopyText(s))),
    nameLast: p.lastNames.map((s) => utf8(escapeCopyText(s))),
    emailFirst: p.firstNames.map((s) => utf8(emailPart(s))),
    emailLast: p.lastNames.map((s) => utf8(emailPart(s))),
    domains: p.domains.map((s) => utf8(domainPart(s))),
    countries: p.countries.map((c) => (c === null ? NULL_BYTES : utf8(escapeCopyText(c)))),
    statuses: p.statuses.map((s) => utf8(escapeCopyText(s))),
  };
};

/** Indices and numbers of one user row, shared by the renderer and by tests that check it. */
export interface UserDraw {
  first: number;
  last: number;
  domain: number;
  country: number;
  balance: number;
  createdSec: number;
  /** -1 when updated_at is NULL. */
  updatedSec: number;
}

export const newUserDraw = (): UserDraw => ({ first: 0, last: 0, domain: 0, country: 0, balance: 0, createdSec: 0, updatedSec: -1 });

/** The deterministic universe of one (seed, users, pools) triple. */
export class Dataset {
  readonly seed: number;
  /** @internal read by the row sources */
  readonly bytes: EncodedPools;
  private readonly rng = new Prng();

  constructor(
    seed: number,
    readonly users: number,
    readonly pools: Pools,
  ) {
    if (!Number.isSafeInteger(users) || users < 0) throw new RangeError(`users must be a non-negative integer, got ${users}`);
    this.seed = seed >>> 0;
    this.bytes = encodePools(pools);
  }

  /** Signup time: increasing with id, as in a real table where ids are handed out over time. */
  userCreatedSec(id: number): number {
    const span = TIME_WINDOW.endSec - TIME_WINDOW.startSec;
    return TIME_WINDOW.startSec + Math.floor(((id - 1 + hashFloat(this.seed, id, SALT_CREATED)) * span) / this.users);
  }

  orderCount(userId: number): number {
    return hash32(this.seed, userId, SALT_ORDER_COUNT) % (MAX_ORDERS_PER_USER + 1);
  }

  /** Exact number of orders: a cheap pass (no rendering) so progress can show a true total. */
  totalOrders(): number {
    let n = 0;
    for (let id = 1; id <= this.users; id++) n += this.orderCount(id);
    return n;
  }

  drawUser(id: number, out: UserDraw): UserDraw {
    const r = this.rng.reseed(hash32(this.seed, id, SALT_USER));
    const b = this.bytes;
    out.first = r.below(b.nameFirst.length);
    out.last = r.below(b.nameLast.length);
    out.domain = r.below(b.domains.length);
    out.country = r.below(b.countries.length);
    // Squared draw: many small balances, a long tail of large ones.
    out.balance = r.float() < ZERO_BALANCE_RATE ? 0 : Math.floor(r.float() ** 2 * MAX_BALANCE);
    out.createdSec = this.userCreatedSec(id);
    out.updatedSec =
      r.float() < NEVER_UPDATED_RATE
        ? -1
        : out.createdSec + Math.floor(r.float() * Math.min(UPDATE_WINDOW_SEC, TIME_WINDOW.endSec - out.createdSec));
    return out;
  }

  /** Reseeds `r` for drawing the orders of `userId` (amount, status, time per order). */
  ordersRng(userId: number, r: Prng): Prng {
    return r.reseed(hash32(this.seed, userId, SALT_ORDERS));
  }

  /** The users table as a RowSource (ids 1..users). */
  userRows(): RowSource {
    return new UserRows(this);
  }

  /** The orders table as a RowSource (ids 1..totalOrders, grouped by user). */
  orderRows(total = this.totalOrders()): RowSource {
    return new OrderRows(this, total);
  }
}

class UserRows implements RowSource {
  readonly total: number;
  readonly maxRowBytes: number;
  rendered = 0;
  private nextId = 1;
  private readonly draw = newUserDraw();

  constructor(private readonly ds: Dataset) {
    this.total = ds.users;
    const b = ds.bytes;
    this.maxRowBytes =
      2 * MAX_UINT_BYTES + longest(b.emailFirst) + longest(b.emailLast) + longest(b.domains) + 3 +
      longest(b.nameFirst) + 1 + longest(b.nameLast) + MAX_UINT_BYTES + longest(b.countries) + 2 * TIMESTAMP_BYTES + 7;
  }

  get done(): boolean {
    return this.nextId > this.total;
  }

  fill(w: ByteWriter): void {
    const { ds, draw: d } = this;
    const b = ds.bytes;
    const last = this.total;
    const stop = w.buf.length - this.maxRowBytes;
    let id = this.nextId;
    for (; id <= last && w.pos <= stop; id++) {
      ds.drawUser(id, d);
      w.uint(id);
      w.byte(TAB);
      // The id in the email makes it unique however often pool names collide.
      w.bytes(b.emailFirst[d.first]);
      w.byte(DOT);
      w.bytes(b.emailLast[d.last]);
      w.byte(DOT);
      w.uint(id);
      w.byte(AT);
      w.bytes(b.domains[d.domain]);
      w.byte(TAB);
      w.bytes(b.nameFirst[d.first]);
      w.byte(SPACE);
      w.bytes(b.nameLast[d.last]);
      w.byte(TAB);
      w.uint(d.balance);
      w.byte(TAB);
      w.bytes(b.countries[d.country]);
      w.byte(TAB);
      w.timestamp(d.createdSec);
      w.byte(TAB);
      if (d.updatedSec < 0) w.bytes(NULL_BYTES);
      else w.timestamp(d.updatedSec);
      w.byte(NEWLINE);
    }
    this.rendered += id - this.nextId;
    this.nextId = id;
  }
}

class OrderRows implements RowSource {
  readonly maxRowBytes: number;
  rendered = 0;
  private nextUser = 1;
  private nextOrderId = 1;
  private readonly rng = new Prng();

  constructor(
    private readonly ds: Dataset,
    readonly total: number,
  ) {
    // A chunk holds a user's orders whole, so the bound is per user, not per row.
    this.maxRowBytes =
      MAX_ORDERS_PER_USER * (3 * MAX_UINT_BYTES + longest(ds.bytes.statuses) + TIMESTAMP_BYTES + 5);
  }

  get done(): boolean {
    return this.nextUser > this.ds.users;
  }

  fill(w: ByteWriter): void {
    const { ds, rng: r } = this;
    const statuses = ds.bytes.statuses;
    const users = ds.users;
    const stop = w.buf.length - this.maxRowBytes;
    const firstOrderId = this.nextOrderId;
    let orderId = firstOrderId;
    let user = this.nextUser;
    for (; user <= users && w.pos <= stop; user++) {
      const n = ds.orderCount(user);
      if (n === 0) continue;
      const created = ds.userCreatedSec(user);
      // Orders follow the signup within a window, so orders.created_at tracks orders.id too.
      const window = Math.min(ORDER_WINDOW_SEC, TIME_WINDOW.endSec - created);
      ds.ordersRng(user, r);
      for (let k = 0; k < n; k++) {
        w.uint(orderId++);
        w.byte(TAB);
        w.uint(user);
        w.byte(TAB);
        w.uint(MIN_AMOUNT_CENTS + Math.floor(r.float() ** 2 * (MAX_AMOUNT_CENTS - MIN_AMOUNT_CENTS)));
        w.byte(TAB);
        w.bytes(statuses[r.below(statuses.length)]);
        w.byte(TAB);
        w.timestamp(created + Math.floor(r.float() * window));
        w.byte(NEWLINE);
      }
    }
    this.rendered += orderId - firstOrderId;
    this.nextOrderId = orderId;
    this.nextUser = user;
  }
}
