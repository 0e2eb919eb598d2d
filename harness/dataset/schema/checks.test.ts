import { loadModule } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import { readChecks } from './checks.ts';

describe('readChecks', () => {
  beforeAll(() => loadModule());

  it('should read bounds, BETWEEN and length limits as PostgreSQL deparses them', () => {
    const f = readChecks(['(price > (0)::numeric)', '((qty >= 1) AND (qty <= 100))', '((score >= 0) AND (score <= 5))', '(char_length(name) <= 80)', '(length((code)::text) = 3)', "(title <> ''::text)"]);
    expect(f.columns.get('price')).toEqual({ min: 0, minExclusive: true });
    expect(f.columns.get('qty')).toEqual({ min: 1, minExclusive: false, max: 100, maxExclusive: false });
    expect(f.columns.get('name')).toEqual({ maxLength: 80 });
    expect(f.columns.get('code')).toEqual({ maxLength: 3, minLength: 3 });
    expect(f.columns.get('title')).toEqual({ notValues: [''] });
    expect(f.unknown).toEqual([]);
  });

  it('should read IN lists, = ANY (ARRAY[…]) and ORs of equalities as allowed values', () => {
    const f = readChecks([
      "((status)::text = ANY ((ARRAY['open'::character varying, 'closed'::character varying])::text[]))",
      "(kind = ANY (ARRAY['a'::text, 'b'::text]))",
      "((role = 'admin'::text) OR (role = 'member'::text))",
      'VALUE BETWEEN 1 AND 10',
    ]);
    expect(f.columns.get('status')!.values).toEqual(['open', 'closed']);
    expect(f.columns.get('kind')!.values).toEqual(['a', 'b']);
    expect(f.columns.get('role')!.values).toEqual(['admin', 'member']);
    expect(f.columns.get('value')).toMatchObject({ min: 1, max: 10 });
  });

  it('should read one column ordered after another, and flip constants written first', () => {
    const f = readChecks(['(ends_at > starts_at)', '(0 < amount)', '("endDate" >= "startDate")']);
    expect(f.orders).toEqual([
      { earlier: 'starts_at', later: 'ends_at', strict: true },
      { earlier: 'startDate', later: 'endDate', strict: false },
    ]);
    expect(f.columns.get('amount')).toEqual({ min: 0, minExclusive: true });
  });

  it('should leave what it does not understand to the server, and say so', () => {
    const f = readChecks(["(email ~* '^[^@]+@[^@]+$'::text)", '(num_nonnulls(a, b) = 1)']);
    expect(f.unknown).toHaveLength(2);
  });

  it('should read "at least one of" and "NULL or a rule" CHECKs', () => {
    const f = readChecks(['((email IS NOT NULL) OR (phone IS NOT NULL))', '((discount IS NULL) OR (discount <= (100)::numeric))']);
    expect(f.columns.get('email')).toEqual({ notNull: true });
    expect(f.columns.get('discount')).toEqual({ max: 100, maxExclusive: false });
    expect(f.unknown).toEqual([]);
  });
});
