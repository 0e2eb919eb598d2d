import { describe, expect, it } from 'vitest';
import { discrepancies, isCount } from './verify-count.ts';

const INT8 = 20;
const INT4 = 23;
const INT2 = 21;
const TEXT = 25;
const NUMERIC = 1700;
const BOOL = 16;
const shape = (fields: [string, number][], rows: unknown[][]) => ({
  fields: fields.map(([name, dataTypeID]) => ({ name, dataTypeID })),
  rows: rows.map((r) => Object.fromEntries(r.map((v, i) => [fields[i]![0], v]))),
});

describe('discrepancies', () => {
  it('should read count(*) (int8, returned as a string) as the count', () => {
    expect(discrepancies(shape([['count', INT8]], [['0']]))).toBe(0);
    expect(discrepancies(shape([['count', INT8]], [['12']]))).toBe(12);
  });

  it('should read an int4 or int2 column named count or discrepancies as the count', () => {
    expect(discrepancies(shape([['discrepancies', INT4]], [[0]]))).toBe(0);
    expect(discrepancies(shape([['discrepancies', INT2]], [[3]]))).toBe(3);
    expect(discrepancies(shape([['count', INT4]], [[7]]))).toBe(7);
  });

  it('should count one offending row whatever its single value is', () => {
    for (const [type, value] of [[INT4, null], [TEXT, ''], [TEXT, '0'], [BOOL, false], [INT4, 0], [INT8, '0']] as const) {
      expect(discrepancies(shape([['balance_new', type]], [[value]]))).toBe(1);
    }
  });

  it('should not read a count-named column of a non-integer type as a count', () => {
    expect(discrepancies(shape([['count', TEXT]], [['0']]))).toBe(1);
    expect(discrepancies(shape([['count', NUMERIC]], [['0']]))).toBe(1);
    expect(discrepancies(shape([['discrepancies', BOOL]], [[false]]))).toBe(1);
  });

  it('should match count column names exactly (unquoted aliases arrive lower-case)', () => {
    expect(discrepancies(shape([['Count', INT8]], [['0']]))).toBe(1);
    expect(discrepancies(shape([['counts', INT8]], [['0']]))).toBe(1);
  });

  it('should count rows when there are several rows or several columns', () => {
    expect(discrepancies(shape([['count', INT8]], [['0'], ['0']]))).toBe(2);
    expect(discrepancies(shape([['count', INT8], ['id', INT4]], [['0', 1]]))).toBe(1);
    expect(discrepancies(shape([['id', INT4], ['email', TEXT]], [[1, 'a'], [2, 'b'], [3, 'c']]))).toBe(3);
  });

  it('should pass zero rows, even with a count-named column', () => {
    expect(discrepancies(shape([['count', INT8]], []))).toBe(0);
    expect(discrepancies(shape([['id', INT4]], []))).toBe(0);
  });

  it('should return null for a NULL count: the invariant was not evaluated', () => {
    expect(discrepancies(shape([['count', INT4]], [[null]]))).toBeNull();
    expect(discrepancies({ fields: [{ name: 'count', dataTypeID: INT8 }], rows: [{}] })).toBeNull();
  });

  it('should tell counts from rows', () => {
    expect(isCount(shape([['count', INT8]], [['5']]))).toBe(true);
    expect(isCount(shape([['count', INT8]], []))).toBe(false);
    expect(isCount(shape([['n', INT8]], [['5']]))).toBe(false);
  });
});

