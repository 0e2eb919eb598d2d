// How a piece of migration SQL is executed, decided before it runs, because it decides how long
// locks are held: a lock is released only when its transaction ends. Real tools run a migration
// file as one transaction (Prisma and golang-migrate send it as one multi-statement query, which
// PostgreSQL runs as an implicit transaction; dbmate and Flyway wrap it in BEGIN/COMMIT), so:
//   - statements run in one transaction by default;
//   - BEGIN/COMMIT written in the SQL divide it, as in PostgreSQL's simple-query protocol:
//     explicit blocks as written, the statements between them in implicit transactions;
//   - a statement that cannot run in a transaction block (CREATE INDEX CONCURRENTLY, VACUUM…)
//     runs alone in autocommit, and the statements around it are grouped as before;
//   - `transaction: false` runs every statement outside explicit blocks in autocommit.
// A lock_timeout retry restarts the segment that failed, never the ones already committed.
import type { ParsedStatement } from '../sql/split-statements.ts';

export interface PlannedStatement {
  sql: string;
  kind: string;
  noTransaction: boolean;
  /** Where the statement is written, when it came from a file. */
  source?: { file: string; line: number };
}

export interface Segment {
  /** Runs between BEGIN and COMMIT (written in the SQL, or implied). */
  transactional: boolean;
  /** The SQL's own BEGIN statement (it may set an isolation level); absent for implied transactions. */
  begin?: PlannedStatement;
  /** How the SQL ends the block; implied transactions commit. */
  end: 'commit' | 'rollback';
  statements: PlannedStatement[];
}

export interface SegmentPlan {
  segments: Segment[];
  /** Things a reader should know, e.g. a COMMIT with no transaction open. */
  notes: string[];
  /** Statements PostgreSQL will refuse as planned, as sentences with their place. */
  problems: string[];
}

type Input = ParsedStatement & { source?: { file: string; line: number } };

const at = (s: Input): string => (s.source ? `${s.source.file}:${s.source.line}` : `line ${s.line}`);
const planned = (s: Input): PlannedStatement => ({ sql: s.sql, kind: s.kind, noTransaction: s.noTransaction, ...(s.source ? { source: s.source } : {}) });

export function planSegments(statements: readonly Input[], opts: { transaction?: boolean } = {}): SegmentPlan {
  const segments: Segment[] = [];
  const notes: string[] = [];
  const problems: string[] = [];
  const grouped = opts.transaction !== false;
  let implicit: Segment | null = null;
  let explicit: Segment | null = null;
  let explicitAt: Input | null = null;

  const closeImplicit = () => {
    if (implicit && implicit.statements.length) segments.push(implicit);
    implicit = null;
  };

  for (const s of statements) {
    if (s.control === 'begin') {
      if (explicit) {
        notes.push(`${at(s)}: BEGIN inside the transaction opened at ${at(explicitAt!)} is ignored by PostgreSQL (a warning, not an error)`);
        continue;
      }
      closeImplicit();
      explicit = { transactional: true, begin: planned(s), end: 'commit', statements: [] };
      explicitAt = s;
      continue;
    }
    if (s.control === 'commit' || s.control === 'rollback') {
      if (!explicit) {
        notes.push(`${at(s)}: ${s.sql.toUpperCase()} with no transaction open does nothing in PostgreSQL`);
        continue;
      }
      explicit.end = s.control;
      segments.push(explicit);
      explicit = null;
      explicitAt = null;
      continue;
    }
    const p = planned(s);
    if (explicit) {
      if (s.noTransaction) problems.push(`${at(s)}: "${oneLine(s.sql)}" cannot run inside the transaction block opened at ${at(explicitAt!)}; PostgreSQL refuses it (SQLSTATE 25001). Move it out of BEGIN … COMMIT.`);
      explicit.statements.push(p);
    } else if (s.noTransaction && opts.transaction === true) {
      problems.push(`${at(s)}: "${oneLine(s.sql)}" cannot run inside a transaction block; remove transaction: true`);
      implicit ??= { transactional: true, end: 'commit', statements: [] };
      implicit.statements.push(p);
    } else if (s.noTransaction || !grouped) {
      closeImplicit();
      segments.push({ transactional: false, end: 'commit', statements: [p] });
    } else {
      implicit ??= { transactional: true, end: 'commit', statements: [] };
      implicit.statements.push(p);
    }
  }
  closeImplicit();
  if (explicit) problems.push(`${at(explicitAt!)}: BEGIN has no matching COMMIT; the transaction would stay open. Add COMMIT at the end.`);
  return { segments, notes, problems };
}

const oneLine = (sql: string): string => {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
};
