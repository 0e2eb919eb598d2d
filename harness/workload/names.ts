// Names as users write them in a workload (`Booking.uid`, `"Booking"."userId"`,
// `billing.invoice.id`) and as the catalog has them, plus quoting for the SQL we generate.
import { distance } from 'fastest-levenshtein';

/** One part of a dotted name; `quoted` parts match exactly, unquoted ones also case-insensitively. */
export interface NamePart {
  text: string;
  quoted: boolean;
}

/** Splits `a."B.c".d` on dots outside double quotes; `""` inside quotes is a literal quote. Null when malformed. */
export function splitDotted(ref: string): NamePart[] | null {
  const parts: NamePart[] = [];
  let i = 0;
  while (i <= ref.length) {
    if (ref[i] === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= ref.length) return null;
        if (ref[i] === '"') {
          if (ref[i + 1] === '"') {
            text += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += ref[i++];
      }
      if (!text) return null;
      parts.push({ text, quoted: true });
    } else {
      const end = ref.indexOf('.', i);
      const text = (end === -1 ? ref.slice(i) : ref.slice(i, end)).trim();
      if (!text || text.includes('"')) return null;
      parts.push({ text, quoted: false });
      i = end === -1 ? ref.length : end;
    }
    if (i >= ref.length) break;
    if (ref[i] !== '.') return null;
    i++;
    if (i >= ref.length) return null; // trailing dot
  }
  return parts.length ? parts : null;
}

export interface ColumnRef {
  schema: NamePart | null;
  table: NamePart;
  column: NamePart;
}

/** `table.column` or `schema.table.column`; null when it is neither. */
export function parseColumnRef(ref: string): ColumnRef | null {
  const parts = splitDotted(ref);
  if (!parts || parts.length < 2 || parts.length > 3) return null;
  const [column, table, schema] = [...parts].reverse();
  return { schema: schema ?? null, table: table!, column: column! };
}

/** `table` or `schema.table`; null when malformed. */
export function parseTableRef(ref: string): { schema: NamePart | null; table: NamePart } | null {
  const parts = splitDotted(ref);
  if (!parts || parts.length > 2) return null;
  return parts.length === 2 ? { schema: parts[0]!, table: parts[1]! } : { schema: null, table: parts[0]! };
}

/** The one candidate a name part means: exact first, then (unquoted only) a unique case-insensitive match. */
export function matchName(part: NamePart, candidates: readonly string[]): string | null {
  if (candidates.includes(part.text)) return part.text;
  if (part.quoted) return null;
  const folded = candidates.filter((c) => c.toLowerCase() === part.text.toLowerCase());
  return folded.length === 1 ? folded[0]! : null;
}

/** Up to three candidates close to `name`, for "did you mean" hints. */
export function nearMatches(name: string, candidates: readonly string[]): string[] {
  const n = name.toLowerCase();
  const max = Math.max(2, Math.floor(n.length / 3));
  return candidates
    .map((c) => {
      const lc = c.toLowerCase();
      const d = distance(n, lc);
      // A name inside the other (user / app_user) is close whatever the length difference.
      return { c, d: lc.length >= 3 && n.length >= 3 && (lc.includes(n) || n.includes(lc)) ? Math.min(d, 1.5) : d };
    })
    .filter((x) => x.d <= max)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, 3)
    .map((x) => x.c);
}

/** Double-quotes an identifier for SQL we generate (always, so mixed case and keywords are safe). */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** `"schema"."table"`, or just `"table"` in public. */
export const quoteTable = (schema: string, table: string): string =>
  schema === 'public' ? quoteIdent(table) : `${quoteIdent(schema)}.${quoteIdent(table)}`;

/** How a table is named in reports and route names: `Booking`, `billing.Invoice`. */
export const displayTable = (schema: string, table: string): string => (schema === 'public' ? table : `${schema}.${table}`);
