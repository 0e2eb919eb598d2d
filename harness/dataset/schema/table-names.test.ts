import { describe, expect, it } from 'vitest';
import { resolveTable, splitName } from './table-names.ts';

const tables = [
  { schema: 'public', name: 'Booking' },
  { schema: 'public', name: 'booking_items' },
  { schema: 'public', name: 'users' },
  { schema: 'auth', name: 'users' },
  { schema: 'public', name: 'Mixed' },
  { schema: 'public', name: 'mixed' },
];

describe('resolveTable', () => {
  it('should split quoted and bare parts, dots inside quotes included', () => {
    expect(splitName('public."Odd.Name"')).toEqual([{ part: 'public', quoted: false }, { part: 'Odd.Name', quoted: true }]);
    expect(splitName('"a""b"')).toEqual([{ part: 'a"b', quoted: true }]);
  });

  it('should match names as users type them: bare ignoring case, quoted exactly, qualified by schema', () => {
    expect(resolveTable('Booking', tables)).toBe(tables[0]);
    expect(resolveTable('booking', tables)).toBe(tables[0]);
    expect(resolveTable('public.BOOKING', tables)).toBe(tables[0]);
    expect(resolveTable('"Booking"', tables)).toBe(tables[0]);
    expect(resolveTable('auth.users', tables)).toBe(tables[3]);
  });

  it('should prefer the exact spelling when two tables differ only in case', () => {
    expect(resolveTable('Mixed', tables)).toBe(tables[4]);
    expect(resolveTable('mixed', tables)).toBe(tables[5]);
    expect(resolveTable('MIXED', tables)).toEqual({ problem: '"MIXED" is ambiguous: public."Mixed", public.mixed' });
  });

  it('should refuse ambiguous and unknown names, suggesting near matches', () => {
    expect(resolveTable('users', tables)).toEqual({ problem: '"users" is ambiguous: public.users, auth.users' });
    expect(resolveTable('"booking"', tables)).toEqual({ problem: 'no table "booking" (did you mean public."Booking", public.booking_items?)' });
    expect(resolveTable('bookng', tables)).toMatchObject({ problem: expect.stringContaining('did you mean public."Booking"') });
  });
});
