// How a verify query's result is read. Only an explicit count is a count: one row, one integer
// column named `count` or `discrepancies`. Any other returned row is one offending row, whatever
// its value, so a NULL, '', '0' or false can never read as "nothing found". Pure: no I/O.

/** Column names that make a single integer column a count of discrepancies. */
export const COUNT_COLUMNS: readonly string[] = ['count', 'discrepancies'];
/** pg type OIDs of int2, int4, int8: count(*) is int8, `::int` is int4. */
const INTEGER_TYPES: ReadonlySet<number> = new Set([21, 23, 20]);

export interface QueryShape {
  rows: Record<string, unknown>[];
  fields: { name: string; dataTypeID: number }[];
}

/** True when the result is an explicit count: one row, one integer column named count or discrepancies. */
export const isCount = (r: QueryShape): boolean =>
  r.rows.length === 1 && r.fields.length === 1 && COUNT_COLUMNS.includes(r.fields[0]!.name) && INTEGER_TYPES.has(r.fields[0]!.dataTypeID);

/**
 * Discrepancies found by a verify query: the count of an explicit count, else the number of rows
 * returned. null when the count itself is NULL (the invariant could not be evaluated).
 */
export function discrepancies(r: QueryShape): number | null {
  if (!isCount(r)) return r.rows.length;
  const value = r.rows[0]![r.fields[0]!.name];
  return value === null || value === undefined ? null : Number(value);
}
