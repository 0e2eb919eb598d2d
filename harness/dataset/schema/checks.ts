// Reads CHECK constraints with PostgreSQL's parser (never regexes) into facts the generators
// can honour: bounds, allowed values, length limits, "not empty", and one column ordered after
// another (ends_at > starts_at). Whatever is not understood is left to the server, which
// checks every row during COPY; a violation then becomes a coded error naming the constraint.
import { parseSync } from 'libpg-query';

export interface ColumnFacts {
  min?: number;
  max?: number;
  /** Bounds are exclusive (>, <). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
  /** Only these values (IN list, = ANY (ARRAY[…]), = const, OR of equalities). */
  values?: string[];
  notValues?: string[];
  maxLength?: number;
  minLength?: number;
  /** `a IS NOT NULL OR b IS NOT NULL`: the first such column is never left NULL. */
  notNull?: boolean;
  /** Range partitions' [from, to) spans the value must fall in (numbers; epoch seconds for times). */
  spans?: [number, number][];
}

/** `later` must compare greater than (or equal to) `earlier`. */
export interface ColumnOrder {
  earlier: string;
  later: string;
  strict: boolean;
}

export interface CheckFacts {
  columns: Map<string, ColumnFacts>;
  orders: ColumnOrder[];
  /** Parts of expressions we did not understand (for notes). */
  unknown: string[];
}

type Node = Record<string, any>;

const unwrap = (n: Node | undefined): Node | undefined => {
  while (n?.TypeCast) n = n.TypeCast.arg;
  return n;
};

/** A constant's text, or undefined. */
function constant(n: Node | undefined): string | undefined {
  n = unwrap(n);
  const c = n?.A_Const;
  if (!c) return undefined;
  if (c.isnull) return undefined;
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return String(c.fval.fval);
  if (c.sval) return String(c.sval.sval ?? '');
  if (c.boolval) return String(c.boolval.boolval ?? false);
  return undefined;
}

/** Column name of a plain column reference (VALUE in a domain check reads as "value"). */
function column(n: Node | undefined): string | undefined {
  n = unwrap(n);
  const f = n?.ColumnRef?.fields;
  return f?.length === 1 && f[0].String ? f[0].String.sval : undefined;
}

/** length(col) / char_length(col) / character_length(col), possibly around casts or btrim(). */
function lengthOf(n: Node | undefined): string | undefined {
  n = unwrap(n);
  const fc = n?.FuncCall;
  if (!fc) return undefined;
  const name = fc.funcname.at(-1)?.String?.sval;
  if (!['length', 'char_length', 'character_length'].includes(name) || fc.args?.length !== 1) return undefined;
  const inner = unwrap(fc.args[0]);
  const trimmed = inner?.FuncCall && ['btrim', 'trim'].includes(inner.FuncCall.funcname.at(-1)?.String?.sval) ? inner.FuncCall.args?.[0] : inner;
  return column(trimmed);
}

const FLIP: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '=': '=', '<>': '<>', '!=': '<>' };

export function readChecks(exprs: readonly string[]): CheckFacts {
  const out: CheckFacts = { columns: new Map(), orders: [], unknown: [] };
  const facts = (col: string): ColumnFacts => {
    let f = out.columns.get(col);
    if (!f) out.columns.set(col, (f = {}));
    return f;
  };
  const numeric = (v: string): number | undefined => (v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

  const compare = (op: string, col: string, value: string, isLength: boolean): boolean => {
    const f = facts(col);
    const num = numeric(value);
    if (isLength) {
      if (num === undefined) return false;
      if (op === '<=' || op === '<') f.maxLength = Math.min(f.maxLength ?? Infinity, op === '<' ? num - 1 : num);
      else if (op === '>=' || op === '>') f.minLength = Math.max(f.minLength ?? 0, op === '>' ? num + 1 : num);
      else if (op === '=') {
        f.maxLength = num;
        f.minLength = num;
      } else return false;
      return true;
    }
    if (op === '=') f.values = [value];
    else if (op === '<>') f.notValues = [...(f.notValues ?? []), value];
    else if (num === undefined) return false;
    else if (op === '>' || op === '>=') {
      if (f.min === undefined || num >= f.min) {
        f.min = num;
        f.minExclusive = op === '>';
      }
    } else if (op === '<' || op === '<=') {
      if (f.max === undefined || num <= f.max) {
        f.max = num;
        f.maxExclusive = op === '<';
      }
    } else return false;
    return true;
  };

  /** Every value of `col = a OR col = b …`, or undefined. */
  const equalities = (n: Node): { col: string; values: string[] } | undefined => {
    const e = unwrap(n);
    if (e?.BoolExpr?.boolop === 'OR_EXPR') {
      const parts = e.BoolExpr.args.map(equalities);
      if (parts.some((p: unknown) => !p) || new Set(parts.map((p: { col: string }) => p.col)).size !== 1) return undefined;
      return { col: parts[0].col, values: parts.flatMap((p: { values: string[] }) => p.values) };
    }
    const a = e?.A_Expr;
    if (!a || a.name?.[0]?.String?.sval !== '=') return undefined;
    if (a.kind === 'AEXPR_OP') {
      const col = column(a.lexpr) ?? column(a.rexpr);
      const v = constant(a.rexpr) ?? constant(a.lexpr);
      return col !== undefined && v !== undefined ? { col, values: [v] } : undefined;
    }
    const col = column(a.lexpr);
    const list = a.kind === 'AEXPR_IN' ? a.rexpr?.List?.items : a.kind === 'AEXPR_OP_ANY' ? unwrap(a.rexpr)?.A_ArrayExpr?.elements : undefined;
    const values = list?.map(constant);
    return col !== undefined && values && !values.includes(undefined) ? { col, values } : undefined;
  };

  const nullTest = (n: Node, type: 'IS_NULL' | 'IS_NOT_NULL'): string | undefined => {
    const t = unwrap(n)?.NullTest;
    return t && t.nulltesttype === type ? column(t.arg) : undefined;
  };
  const visit = (n: Node | undefined, text: string): void => {
    const e = unwrap(n);
    if (!e) return;
    if (e.BoolExpr?.boolop === 'AND_EXPR') return e.BoolExpr.args.forEach((x: Node) => visit(x, text));
    if (e.BoolExpr?.boolop === 'OR_EXPR') {
      const args = e.BoolExpr.args as Node[];
      // At least one of several columns: keep the first always set.
      const present = args.map((x) => nullTest(x, 'IS_NOT_NULL'));
      if (present.every(Boolean)) {
        facts(present[0]!).notNull = true;
        return;
      }
      // `col IS NULL OR <rule>`: the rule holds whenever the value is there.
      const rest = args.filter((x) => !nullTest(x, 'IS_NULL'));
      if (rest.length === 1 && rest.length < args.length) return visit(rest[0], text);
    }
    const eq = equalities(e);
    if (eq) {
      const f = facts(eq.col);
      f.values = f.values ? f.values.filter((v) => eq.values.includes(v)) : eq.values;
      return;
    }
    const a = e.A_Expr;
    if (a?.kind === 'AEXPR_BETWEEN' || a?.kind === 'AEXPR_BETWEEN_SYM') {
      const col = column(a.lexpr);
      const [lo, hi] = (a.rexpr?.List?.items ?? []).map(constant);
      if (col && lo !== undefined && hi !== undefined && compare('>=', col, lo, false) && compare('<=', col, hi, false)) return;
    }
    if (a?.kind === 'AEXPR_OP') {
      const op = a.name?.[0]?.String?.sval as string;
      const lcol = column(a.lexpr) ?? lengthOf(a.lexpr);
      const rcol = column(a.rexpr) ?? lengthOf(a.rexpr);
      const lval = constant(a.lexpr);
      const rval = constant(a.rexpr);
      if (lcol && rval !== undefined && compare(op, lcol, rval, !column(a.lexpr))) return;
      if (rcol && lval !== undefined && FLIP[op] && compare(FLIP[op]!, rcol, lval, !column(a.rexpr))) return;
      const l = column(a.lexpr);
      const r = column(a.rexpr);
      if (l && r && ['<', '<=', '>', '>='].includes(op)) {
        const later = op.startsWith('>') ? l : r;
        out.orders.push({ earlier: later === l ? r : l, later, strict: !op.endsWith('=') });
        return;
      }
    }
    if (e.NullTest) return; // IS [NOT] NULL: NOT NULL is honoured anyway; IS NULL alone is rare
    out.unknown.push(text);
  };

  for (const text of exprs) {
    try {
      const tree = parseSync(`SELECT ${text}`);
      const select = (tree.stmts?.[0]?.stmt as Node | undefined)?.SelectStmt;
      visit(select?.targetList?.[0]?.ResTarget?.val as Node, text);
    } catch {
      out.unknown.push(text);
    }
  }
  return out;
}
