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
}

export class SqlSyntaxError extends Error {
  constructor(message: string, readonly position: number, readonly line: number) {
    super(message);
    this.name = 'SqlSyntaxError';
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

export async function splitStatements(sql: string): Promise<ParsedStatement[]> {
  await ready();
  let parsed: { stmts?: RawStmt[] };
  try {
    parsed = parseSync(sql) as { stmts?: RawStmt[] };
  } catch (err) {
    const pos = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition ?? 0;
    const line = sql.slice(0, pos).split('\n').length;
    throw new SqlSyntaxError((err as Error).message, pos, line);
  }
  return (parsed.stmts ?? []).map((s) => {
    const start = s.stmt_location ?? 0;
    const text = (s.stmt_len ? sql.slice(start, start + s.stmt_len) : sql.slice(start)).trim().replace(/;\s*$/, '');
    const [kind, node] = Object.entries(s.stmt)[0]!;
    return { sql: text, kind, noTransaction: needsNoTransaction(kind, node) };
  });
}
