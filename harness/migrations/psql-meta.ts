// psql meta-commands (`\connect`, and pg_dump 18's `\restrict` / `\unrestrict` around every
// dump) are instructions to psql, not SQL: the server never sees them. We blank them out
// (same length, so every line and column stays where it was) and say which ones we skipped.
// PostgreSQL's own scanner tells a backslash that starts a line apart from one inside a
// string or a function body.
import { loadModule, scanSync } from 'libpg-query';

export interface SkippedMeta {
  line: number;
  text: string;
}

let loaded: Promise<void> | null = null;

export async function stripPsqlMeta(sql: string): Promise<{ sql: string; skipped: SkippedMeta[] }> {
  if (!/^[ \t]*\\/m.test(sql)) return { sql, skipped: [] };
  await (loaded ??= loadModule());
  let tokenStarts: Set<number>;
  try {
    tokenStarts = new Set(scanSync(sql).tokens.map((t) => t.start));
  } catch {
    return { sql, skipped: [] }; // unscannable text: the parser will report where
  }
  const skipped: SkippedMeta[] = [];
  const lines = sql.split('\n');
  // The scanner counts bytes of UTF-8, not UTF-16 code units.
  let offset = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lead = line.length - line.trimStart().length;
    if (line[lead] === '\\' && tokenStarts.has(offset + lead) /* lead is ASCII whitespace */) {
      skipped.push({ line: i + 1, text: line.trim() });
      lines[i] = ' '.repeat(line.length);
    }
    offset += Buffer.byteLength(line, 'utf8') + 1;
  }
  return { sql: lines.join('\n'), skipped };
}
