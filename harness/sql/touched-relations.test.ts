import { describe, expect, it } from 'vitest';
import { touchedRelations, type TouchedRelation } from './touched-relations.ts';

const brief = (t: TouchedRelation[]) => t.map((x) => `${x.kind === 'type' ? 'type ' : ''}${x.schema ? `${x.schema}.` : ''}${x.name}:${x.how}`);

describe('touchedRelations', () => {
  it('should name the altered table with quoted case and schema kept, and the table a new FK references', async () => {
    const t = await touchedRelations('ALTER TABLE billing."Invoice" ADD COLUMN "userId" int REFERENCES "User"(id), DROP COLUMN legacy;');
    expect(brief(t)).toEqual(['billing.Invoice:alter', 'User:reference']);
    expect(t[0]!.columns).toEqual([{ name: 'userId', change: 'AddColumn' }, { name: 'legacy', change: 'DropColumn' }]);
  });

  it('should fold unquoted names to lower case, as PostgreSQL does', async () => {
    expect(brief(await touchedRelations('CREATE INDEX CONCURRENTLY booking_uid ON Booking (uid)'))).toEqual(['booking:index']);
  });

  it('should give each statement its index and line', async () => {
    const t = await touchedRelations('LOCK TABLE a IN ACCESS EXCLUSIVE MODE;\n\n-- then\nTRUNCATE b;\nDROP INDEX s.idx_c;');
    expect(t.map((x) => [x.name, x.how, x.statement, x.line])).toEqual([['a', 'lock', 0, 1], ['b', 'truncate', 1, 4], ['idx_c', 'drop', 2, 5]]);
    expect(t[2]!.schema).toBe('s');
  });

  it('should tell written tables from read ones, and leave CTE names out', async () => {
    const t = await touchedRelations('WITH batch AS (SELECT id FROM orders WHERE id > 10 LIMIT 100) UPDATE users u SET n = 1 FROM batch WHERE u.id = batch.id');
    expect(brief(t).sort()).toEqual(['orders:read', 'users:write']);
    expect(brief(await touchedRelations('INSERT INTO archive SELECT * FROM events WHERE ts < now()'))).toEqual(['archive:write', 'events:read']);
  });

  it('should report altered enums and renamed columns', async () => {
    expect(brief(await touchedRelations(`ALTER TYPE "Status" ADD VALUE 'archived'`))).toEqual(['type Status:alter']);
    const [r] = await touchedRelations('ALTER TABLE users RENAME COLUMN email TO email_address');
    expect(r).toMatchObject({ name: 'users', how: 'rename', columns: [{ name: 'email', change: 'Rename' }, { name: 'email_address', change: 'RenameTo' }] });
  });

  it('should mark a new table as created and its FK targets as referenced', async () => {
    const t = await touchedRelations('CREATE TABLE audit (id bigint PRIMARY KEY, booking_id int NOT NULL REFERENCES "Booking"(id))');
    expect(brief(t)).toEqual(['audit:create', 'Booking:reference']);
  });

  it('should throw on a syntax error', async () => {
    await expect(touchedRelations('ALTER TABLE')).rejects.toThrow();
  });
});
