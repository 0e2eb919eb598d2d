// Table and column names as users type them: `Booking`, `booking`, `public.booking`,
// `"Booking"`. Quoted parts match exactly; bare parts match exactly first, then ignoring case.
// Several matches are an error (we never guess between public.users and auth.users).

export interface Named {
  schema: string;
  name: string;
}

/** Splits `a.b`, `"A"."b.c"` into parts, keeping whether each was quoted. */
export function splitName(text: string): { part: string; quoted: boolean }[] {
  const out: { part: string; quoted: boolean }[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      let j = i + 1;
      let part = '';
      while (j < text.length) {
        if (text[j] === '"' && text[j + 1] === '"') {
          part += '"';
          j += 2;
        } else if (text[j] === '"') break;
        else part += text[j++];
      }
      out.push({ part, quoted: true });
      i = j + 2; // past the closing quote and the dot
    } else {
      const dot = text.indexOf('.', i);
      const end = dot === -1 ? text.length : dot;
      out.push({ part: text.slice(i, end).trim(), quoted: false });
      i = end + 1;
    }
  }
  return out;
}

const matches = (p: { part: string; quoted: boolean }, actual: string, exact: boolean): boolean =>
  p.quoted || exact ? p.part === actual : p.part.toLowerCase() === actual.toLowerCase();

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

export const display = (t: Named): string => `${t.schema}.${/^[a-z_][a-z0-9_]*$/.test(t.name) ? t.name : `"${t.name}"`}`;

export function nearMatches(text: string, candidates: string[]): string[] {
  const want = text.replace(/"/g, '').toLowerCase();
  return candidates
    .map((c) => ({ c, d: distance(want, c.replace(/"/g, '').toLowerCase().split('.').pop()!) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(want.length / 3)) || x.c.toLowerCase().includes(want))
    .sort((a, b) => a.d - b.d)
    .slice(0, 5)
    .map((x) => x.c);
}

/** The table `text` names, or a problem (unknown with near matches, or ambiguous). */
export function resolveTable<T extends Named>(text: string, tables: readonly T[]): T | { problem: string } {
  const parts = splitName(text);
  if (parts.length > 2 || parts.some((p) => !p.part)) return { problem: `"${text}" is not a table name (expected table or schema.table)` };
  const [schema, name] = parts.length === 2 ? parts : [undefined, parts[0]!];
  const pick = (exact: boolean) => tables.filter((t) => matches(name!, t.name, exact) && (!schema || matches(schema, t.schema, exact)));
  let found = pick(true);
  if (!found.length) found = pick(false);
  if (found.length === 1) return found[0]!;
  if (found.length > 1) return { problem: `"${text}" is ambiguous: ${found.map(display).join(', ')}` };
  const near = nearMatches(text, tables.map(display));
  const shown = text.includes('"') ? text : `"${text}"`;
  return { problem: `no table ${shown}${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}` };
}
