// Splits migration SQL into statements with PostgreSQL's own parser (libpg-query: the real
// grammar, compiled to WASM, no native build), so every statement is traced on its own and a
// syntax error is reported before anything runs. Naive splitting on ';' breaks on strings,
// comments and function bodies.
import { loadModule, parseSync } from 'libpg-query';

export interface ParsedStatement {
  sql: string;
  /** Parse node type, e.g. AlterTableStmt, IndexStmt. */
  kind: string;
  /** Cannot run inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM, …). */
  noTransaction: boolean;
  /** 1-based line of the statement's first character in the text that was split. */
  line: number;
  /** Transaction control written in the SQL itself: BEGIN/START TRANSACTION, COMMIT/END, ROLLBACK/ABORT. */
  control?: 'begin' | 'commit' | 'rollback';
}

const CONTROL: Record<string, ParsedStatement['control']> = {
  TRANS_STMT_BEGIN: 'begin',
  TRANS_STMT_START: 'begin',
  TRANS_STMT_COMMIT: 'commit',
  TRANS_STMT_ROLLBACK: 'rollback',
};

export class SqlSyntaxError extends Error {
  /** 1-based column of `position` on its line. */
  readonly column: number;
  constructor(message: string, readonly position: number, readonly line: number, text = '') {
    super(message);
    this.name = 'SqlSyntaxError';
    this.column = position - (text.lastIndexOf('\n', position - 1) + 1) + 1;
  }
}

let loaded: Promise<void> | null = null;
const ready = () => (loaded ??= loadModule());

interface RawStmt {
  stmt: Record<string, Record<string, unknown>>;
  stmt_location?: number;
  stmt_len?: number;
}

function needsNoTransaction(kind: string, node: Record<string, unknown>): boolean {
  if (kind === 'IndexStmt' || kind === 'DropStmt') return node.concurrent === true;
  if (kind === 'ReindexStmt') return JSON.stringify(node.params ?? []).includes('"concurrently"');
  if (kind === 'AlterTableStmt') return JSON.stringify(node.cmds ?? []).includes('AT_DetachPartition') && JSON.stringify(node.cmds).includes('"concurrent":true');
  return ['VacuumStmt', 'CreatedbStmt', 'DropdbStmt', 'AlterSystemStmt'].includes(kind);
}

/** 1-based line of a character offset. */
export const lineAt = (text: string, offset: number): number => {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
};

/**
 * The parser reports statement locations in bytes of UTF-8; JavaScript strings index UTF-16
 * code units. Maps (ascending) byte offsets to string offsets in one pass over the text.
 */
export function byteToCharOffsets(text: string, byteOffsets: readonly number[]): number[] {
  if (!/[^\x00-\x7f]/.test(text)) return [...byteOffsets];
  const out: number[] = [];
  let bytes = 0;
  let i = 0;
  for (const target of byteOffsets) {
    while (bytes < target && i < text.length) {
      const c = text.codePointAt(i)!;
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      i += c >= 0x10000 ? 2 : 1;
    }
    out.push(i);
  }
  return out;
}

export async function splitStatements(sql: string): Promise<ParsedStatement[]> {
  await ready();
  let parsed: { stmts?: RawStmt[] };
  try {
    parsed = parseSync(sql) as { stmts?: RawStmt[] };
  } catch (err) {
    const pos = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition ?? 0;
    const line = lineAt(sql, pos);
    throw new SqlSyntaxError((err as Error).message, pos, line, sql);
  }
  const stmts = parsed.stmts ?? [];
  const bounds = byteToCharOffsets(sql, stmts.flatMap((s) => [s.stmt_location ?? 0, (s.stmt_location ?? 0) + (s.stmt_len ?? 0)]));
  return stmts.map((s, i) => {
    const start = bounds[2 * i]!;
    const raw = s.stmt_len ? sql.slice(start, bounds[2 * i + 1]) : sql.slice(start);
    // The parser's location includes leading whitespace and comments; the line is that of the first token.
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim().replace(/;\s*$/, '');
    const [kind, node] = Object.entries(s.stmt)[0]!;
    const control = kind === 'TransactionStmt' ? CONTROL[String(node.kind)] : undefined;
    return { sql: text, kind, noTransaction: needsNoTransaction(kind, node), line: lineAt(sql, start + lead), ...(control ? { control } : {}) };
  });
}
