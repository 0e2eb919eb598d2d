// Rows of a partitioned table must land in some partition. Without a DEFAULT partition, the
// partition key's values are drawn inside the partitions' bounds: a list partition's values,
// or one of the range partitions' [from, to) spans. Bounds are read as the server prints them
// (pg_get_expr of relpartbound) and parsed with PostgreSQL's parser.
import { parseSync } from 'libpg-query';
import type pg from 'pg';

export interface PartitionFacts {
  column: string;
  /** LIST partitions: every allowed value. */
  values?: string[];
  /** RANGE partitions: [from, to) in numbers (epoch seconds for times); ±Infinity for MINVALUE/MAXVALUE. */
  ranges?: [number, number][];
}

type Node = Record<string, any>;

const datum = (n: Node | undefined, time: boolean): number | undefined => {
  const ref = n?.ColumnRef?.fields?.[0]?.String?.sval;
  if (ref === 'minvalue') return -Infinity;
  if (ref === 'maxvalue') return Infinity;
  const c = n?.A_Const;
  if (!c) return undefined;
  if (c.ival) return c.ival.ival ?? 0;
  if (c.fval) return Number(c.fval.fval);
  const s: string | undefined = c.sval?.sval;
  if (s === undefined) return undefined;
  if (!time) return Number.isFinite(Number(s)) ? Number(s) : undefined;
  // '2019-01-01', '2019-01-01 00:00:00', '2019-01-01 00:00:00+00': read as UTC unless an offset says otherwise.
  const iso = s.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}${iso.includes('T') ? '' : 'T00:00:00'}Z`);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
};

/** Bounds of the partitions of `oid`, when its key is one plain column and it has no DEFAULT partition. */
export async function readPartitionFacts(c: pg.ClientBase, oid: number, isTime: (column: string) => boolean): Promise<PartitionFacts | null> {
  const key = await c.query<{ strategy: string; cols: string[] | null }>(`
    SELECT p.partstrat::text AS strategy, (SELECT array_agg(a.attname::text ORDER BY k.i) FROM unnest(p.partattrs::int2[]) WITH ORDINALITY k(n, i)
      JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = k.n) AS cols
    FROM pg_partitioned_table p WHERE p.partrelid = $1 AND p.partexprs IS NULL`, [oid]);
  const k = key.rows[0];
  if (!k || !k.cols || k.cols.length !== 1 || k.strategy === 'h') return null;
  const column = k.cols[0]!;
  const parts = await c.query<{ bound: string }>(`SELECT pg_get_expr(ch.relpartbound, ch.oid) AS bound FROM pg_inherits i JOIN pg_class ch ON ch.oid = i.inhrelid WHERE i.inhparent = $1`, [oid]);
  if (!parts.rows.length || parts.rows.some((p) => p.bound === 'DEFAULT')) return null;
  const out: PartitionFacts = { column };
  const time = isTime(column);
  for (const { bound } of parts.rows) {
    const spec = (parseSync(`CREATE TABLE x PARTITION OF y ${bound}`).stmts?.[0]?.stmt as Node | undefined)?.CreateStmt?.partbound as Node | undefined;
    if (!spec) return null;
    if (spec.strategy === 'l') {
      const vals = (spec.listdatums as Node[]).map((d) => d.A_Const?.sval?.sval ?? d.A_Const?.ival?.ival ?? d.A_Const?.fval?.fval).filter((v) => v !== undefined).map(String);
      out.values = [...(out.values ?? []), ...vals];
    } else if (spec.strategy === 'r') {
      const lo = datum(spec.lowerdatums?.[0], time);
      const hi = datum(spec.upperdatums?.[0], time);
      if (lo === undefined || hi === undefined) return null;
      out.ranges = [...(out.ranges ?? []), [lo, hi]];
    }
  }
  out.ranges?.sort((a, b) => a[0] - b[0]);
  return out;
}
