import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyTextStream, copyInto, copySql, escapeCopyText } from '../../harness/seed/copy-stream.ts';
import { USERS } from './tables.ts';
import { buildPools, type Pools } from './pools.ts';
import { Dataset, newUserDraw } from './rows.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../harness/seed/scratch-db.ts';
import { TEST_DATABASE_URL, needsDb } from '../../harness/seed/test-env.ts';

const WEIRD = ['back\\slash', 'tab\there', 'new\nline', 'cr\rhere', 'crlf\r\nend', '\\N', '\\.', 'trailing\\', '\\t not a tab', 'ünïcödé 🎉', "O'Brien", ''];

describe('escapeCopyText', () => {
  it('escapes backslash, tab, newline and CR, and nothing else', () => {
    expect(escapeCopyText('plain text, ünï')).toBe('plain text, ünï');
    expect(escapeCopyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(escapeCopyText('\\N')).toBe('\\\\N');
    expect(escapeCopyText('\\t')).toBe('\\\\t');
  });
});

describe('CopyTextStream', () => {
  it('renders only as fast as the consumer takes it (backpressure)', async () => {
    const src = new Dataset(1, 1_000_000, buildPools(1)).userRows();
    const stream = new CopyTextStream(src, 64 * 1024);
    // A sink stuck on its first write, like a socket whose peer stopped reading.
    const sink = new Writable({ highWaterMark: 64 * 1024, write: () => undefined });
    stream.pipe(sink);
    await new Promise((r) => setTimeout(r, 50));
    const rendered = src.rendered;
    await new Promise((r) => setTimeout(r, 50));
    expect(src.rendered).toBe(rendered);
    // ~100 bytes a row: one chunk in the sink, its buffer, and our 2-chunk read-ahead.
    expect(rendered).toBeGreaterThan(0);
    expect(rendered * 100).toBeLessThan(5 * 64 * 1024);
    stream.destroy();
    sink.destroy();
  });
});

describe.skipIf(!TEST_DATABASE_URL)(needsDb('COPY round trip'), () => {
  let db: ScratchDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createScratchDatabase(TEST_DATABASE_URL!);
    client = new pg.Client(db.url);
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('reads back names with backslashes, tabs, newlines, CRs and non-ASCII exactly', async () => {
    const pools: Pools = {
      firstNames: WEIRD,
      lastNames: [...WEIRD].reverse(),
      domains: ['example.com'],
      countries: ['DE', null],
      statuses: ['paid'],
    };
    const users = 200;
    const ds = new Dataset(11, users, pools);
    await client.query(USERS.create);
    const copied = await copyInto(client, copySql('users', USERS.columns, false), new CopyTextStream(ds.userRows(), 1024));
    expect(copied).toBe(users);

    const { rows } = await client.query<{ id: string; full_name: string; country: string | null; email: string }>(
      'SELECT id, full_name, country, email FROM users ORDER BY id',
    );
    expect(rows).toHaveLength(users);
    const d = newUserDraw();
    const seen = new Set<string>();
    for (const row of rows) {
      ds.drawUser(Number(row.id), d);
      expect(row.full_name).toBe(`${pools.firstNames[d.first]} ${pools.lastNames[d.last]}`);
      expect(row.country).toBe(pools.countries[d.country]);
      expect(row.email).toMatch(/^[a-z0-9]+\.[a-z0-9]+\.\d+@example\.com$/);
      seen.add(pools.firstNames[d.first]!);
    }
    // The draw covered (nearly) every weird value, not just the easy ones.
    expect(seen.size).toBeGreaterThanOrEqual(WEIRD.length - 1);
  });
});
