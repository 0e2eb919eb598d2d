import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CopyTextStream, type RowSource } from '../../harness/seed/copy-stream.ts';
import { MAX_ORDERS_PER_USER, TIME_WINDOW } from './tables.ts';
import { buildPools } from './pools.ts';
import { Dataset } from './rows.ts';

const N = 20_000;
/** Line-by-line checks are slow in expect(); fewer rows say as much. */
const CHECKED = 5_000;

async function digest(src: RowSource, chunkBytes?: number): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of new CopyTextStream(src, chunkBytes)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function text(src: RowSource): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of new CopyTextStream(src)) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

describe('generated rows', () => {
  it('are byte-identical for the same seed, from fresh pools, whatever the chunk size', async () => {
    const a = new Dataset(7, N, buildPools(7));
    const b = new Dataset(7, N, buildPools(7));
    expect(await digest(a.userRows())).toBe(await digest(b.userRows(), 4096));
    expect(await digest(a.orderRows())).toBe(await digest(b.orderRows(), 1 << 20));
  });

  it('differ for another seed', async () => {
    const a = new Dataset(7, N, buildPools(7));
    const b = new Dataset(8, N, buildPools(8));
    expect(await digest(a.userRows())).not.toBe(await digest(b.userRows()));
  });

  it('renders every user once, with unique emails and well-formed fields', async () => {
    const lines = (await text(new Dataset(3, CHECKED, buildPools(3)).userRows())).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(CHECKED);
    const emails = new Set<string>();
    lines.forEach((line, i) => {
      const [id, email, name, balance, country, created, updated, ...rest] = line.split('\t');
      expect(rest).toEqual([]);
      expect(Number(id)).toBe(i + 1);
      expect(email).toMatch(/^[a-z0-9]+\.[a-z0-9]+\.\d+@[a-z0-9.-]+\.[a-z]+$/);
      emails.add(email!);
      expect(name).toMatch(/^\S.* \S+$/);
      expect(Number(balance)).toBeGreaterThanOrEqual(0);
      expect(country).toMatch(/^([A-Z]{2}|\\N)$/);
      expect(created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00$/);
      expect(updated === '\\N' || Date.parse(updated!.replace(' ', 'T').replace('+00', 'Z')) >= Date.parse(created!.replace(' ', 'T').replace('+00', 'Z'))).toBe(true);
    });
    expect(emails.size).toBe(CHECKED);
  });

  it('gives each user 0..6 orders (mean ≈ 3), numbered 1..total, inside the time window', async () => {
    const ds = new Dataset(5, CHECKED, buildPools(5));
    const counts = Array.from({ length: CHECKED }, (_, i) => ds.orderCount(i + 1));
    expect(Math.min(...counts)).toBe(0);
    expect(Math.max(...counts)).toBe(MAX_ORDERS_PER_USER);
    expect(ds.totalOrders() / CHECKED).toBeGreaterThan(2.9);
    expect(ds.totalOrders() / CHECKED).toBeLessThan(3.1);

    const lines = (await text(ds.orderRows())).trimEnd().split('\n');
    expect(lines).toHaveLength(ds.totalOrders());
    const perUser = new Map<number, number>();
    lines.forEach((line, i) => {
      const [id, userId, , , created] = line.split('\t');
      expect(Number(id)).toBe(i + 1);
      perUser.set(Number(userId), (perUser.get(Number(userId)) ?? 0) + 1);
      const sec = Date.parse(created!.replace(' ', 'T').replace('+00', 'Z')) / 1000;
      expect(sec).toBeGreaterThanOrEqual(ds.userCreatedSec(Number(userId)));
      expect(sec).toBeLessThan(TIME_WINDOW.endSec);
    });
    for (const [user, n] of perUser) expect(n).toBe(ds.orderCount(user));
  });
});
