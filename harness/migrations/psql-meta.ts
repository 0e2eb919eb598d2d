// psql meta-commands (`\connect`, and pg_dump 18's `\restrict` / `\unrestrict` around every
// dump) are instructions to psql, not SQL: the server never sees them. We blank them out
// (same length, so every line and column stays where it was) and say which ones we skipped.
// PostgreSQL's own parser tells them apart: a backslash that starts a line outside any string
// or function body is exactly where it reports a syntax error; one inside a body never is.
// (libpg-query's scanner would be the direct tool, but it fails on large inputs.)
import { loadModule, parseSync } from 'libpg-query';
import { lineAt } from '../sql/split-statements.ts';

export interface SkippedMeta {
  line: number;
  text: string;
}

let loaded: Promise<void> | null = null;

export async function stripPsqlMeta(sql: string): Promise<{ sql: string; skipped: SkippedMeta[] }> {
  const candidates = (sql.match(/^[ \t]*\\/gm) ?? []).length;
  if (candidates === 0) return { sql, skipped: [] };
  await (loaded ??= loadModule());
  const lines = sql.split('\n');
  const skipped: SkippedMeta[] = [];
  for (let tries = 0; tries <= candidates; tries++) {
    const text = lines.join('\n');
    let pos: number;
    try {
      parseSync(text);
      break;
    } catch (err) {
      pos = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition ?? -1;
    }
    if (text[pos] !== '\\') break; // a real syntax error: splitting reports it with its place
    const i = lineAt(text, pos) - 1;
    const line = lines[i]!;
    if (line.trimStart()[0] !== '\\' || line.length - line.trimStart().length !== pos - (text.lastIndexOf('\n', pos - 1) + 1)) break;
    skipped.push({ line: i + 1, text: line.trim() });
    lines[i] = ' '.repeat(line.length);
  }
  skipped.sort((a, b) => a.line - b.line);
  return { sql: lines.join('\n'), skipped };
}
