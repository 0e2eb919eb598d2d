// --harden: a migration rewritten by the playbook's safe patterns, from PostgreSQL's own parse
// tree (libpg-query) and deparsed back to SQL (pgsql-deparser, the same AST), never by regexes:
//   CREATE INDEX                 → CREATE INDEX CONCURRENTLY, alone, outside any transaction
//   ADD FOREIGN KEY              → ADD … NOT VALID, then VALIDATE CONSTRAINT in its own transaction
//   SET NOT NULL                 → CHECK (col IS NOT NULL) NOT VALID, VALIDATE, SET NOT NULL, drop the check
//   ADD CONSTRAINT … UNIQUE      → CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … USING INDEX
//   anything that blocks writes  → its transaction waits at most lock_timeout in the lock queue, retried
// Where no safe rewrite exists (ALTER COLUMN TYPE that rewrites, a volatile DEFAULT) the statement
// keeps its form, gets the lock_timeout, and the rewrite list says so and where the safe way is.
import { loadModule, parseSync } from 'libpg-query';
import { deparseSync } from 'pgsql-deparser';
import type { HardenRewrite } from '../model/schema.ts';

type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface HardenInput {
  sql: string;
  source?: { file: string; line: number };
  control?: 'begin' | 'commit' | 'rollback';
}

/** A run of statements in one transaction (with SET LOCAL lock_timeout when it blocks writes), or one statement alone in autocommit. */
export interface HardenedUnit {
  transaction: boolean;
  lockTimeout: boolean;
  statements: string[];
  end?: 'commit' | 'rollback';
}

export interface HardenOptions {
  /** lock_timeout for statements that block writes while they wait (ms). */
  lockTimeoutMs: number;
  /** The original ran its statements in one transaction (false: each in autocommit). */
  grouped: boolean;
  /** Tables created earlier in the same migration: nobody uses them yet, so they need no care. */
  createdTables: Set<string>;
  step: string;
}

export interface HardenResult {
  units: HardenedUnit[];
  rewrites: HardenRewrite[];
}

let loaded: Promise<void> | null = null;
export const hardenReady = () => (loaded ??= loadModule());

/** Functions whose DEFAULT makes ADD COLUMN rewrite the table (volatile); the common ones. */
const VOLATILE = new Set(['gen_random_uuid', 'uuid_generate_v4', 'uuid_generate_v1', 'uuidv4', 'uuidv7', 'random', 'clock_timestamp', 'timeofday', 'nextval', 'txid_current', 'random_normal']);

const sv = (n: Node): string => n.String?.sval ?? '';
const rel = (rv: Node): string => [rv.schemaname, rv.relname].filter(Boolean).join('.');
const sql = (stmt: Node): string => deparseSync(stmt as never, { pretty: false });
const alter = (relation: Node, cmds: Node[]): Node => ({ AlterTableStmt: { relation, cmds: cmds.map((c) => ({ AlterTableCmd: { behavior: 'DROP_RESTRICT', ...c } })), objtype: 'OBJECT_TABLE' } });
const colRef = (name: string): Node => ({ ColumnRef: { fields: [{ String: { sval: name } }] } });
/** PostgreSQL's own naming: table_cols_suffix, cut to 63 bytes. */
const autoName = (table: string, cols: string[], suffix: string): string => `${table}_${cols.join('_')}`.slice(0, 63 - suffix.length - 1) + `_${suffix}`;

/** Names of the functions an expression calls (the last part of each FuncCall's name). */
function functionsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const x of node) functionsIn(x, out);
  else if (node && typeof node === 'object') {
    const fc = (node as Node).FuncCall;
    if (fc) out.push(sv((fc.funcname as Node[]).at(-1) ?? {}));
    for (const v of Object.values(node)) functionsIn(v, out);
  }
  return out;
}

/** Does this statement (as parsed) take a lock that queues or blocks the app's writes on an existing table? */
function blocksWrites(kind: string, node: Node, created: Set<string>): boolean {
  const target = node.relation ? rel(node.relation) : null;
  if (target && created.has(target)) return false;
  switch (kind) {
    case 'AlterTableStmt': return (node.cmds ?? []).some((c: Node) => c.AlterTableCmd?.subtype !== 'AT_ValidateConstraint' && c.AlterTableCmd?.subtype !== 'AT_SetStatistics');
    case 'IndexStmt': return node.concurrent !== true;
    case 'RenameStmt': case 'TruncateStmt': case 'CreateTrigStmt': case 'LockStmt': case 'ClusterStmt': case 'RuleStmt': return true;
    case 'DropStmt': return node.concurrent !== true && ['OBJECT_TABLE', 'OBJECT_INDEX', 'OBJECT_TRIGGER', 'OBJECT_MATVIEW'].includes(node.removeType);
    case 'RefreshMatViewStmt': return node.concurrent !== true;
    case 'VacuumStmt': return JSON.stringify(node.options ?? []).includes('"full"');
    default: return false;
  }
}

export function hardenStatements(input: readonly HardenInput[], o: HardenOptions): HardenResult {
  const units: HardenedUnit[] = [];
  const rewrites: HardenRewrite[] = [];
  let open = null as HardenedUnit | null; // the transaction that plain statements join
  let explicit = false; // inside BEGIN … COMMIT written in the SQL
  const closeOpen = () => {
    if (open && open.statements.length) units.push(open);
    open = null;
  };
  const plain = (text: string, lockTimeout: boolean) => {
    if (!o.grouped && !explicit) {
      units.push({ transaction: true, lockTimeout, statements: [text] });
      return;
    }
    open ??= { transaction: true, lockTimeout: false, statements: [] };
    open.statements.push(text);
    open.lockTimeout ||= lockTimeout;
  };
  /** Statements that must run in their own transactions (or alone): the current group ends before them. */
  const own = (...parts: HardenedUnit[]) => {
    closeOpen();
    units.push(...parts);
  };
  const lt = `SET LOCAL lock_timeout = '${o.lockTimeoutMs}ms'`;

  for (const st of input) {
    if (st.control === 'begin') { closeOpen(); explicit = true; continue; }
    if (st.control) {
      if (open) open.end = st.control;
      closeOpen();
      explicit = false;
      continue;
    }
    const tree = parseSync(st.sql) as { stmts: { stmt: Node }[] };
    const stmt = tree.stmts[0]!.stmt;
    const [kind, node] = Object.entries(stmt)[0] as [string, Node];
    const record = (pattern: string, after: string[], note: string) =>
      rewrites.push({ step: o.step, ...(st.source ? { source: st.source } : {}), pattern, before: st.sql, after, note });

    if (kind === 'CreateStmt' && node.relation) o.createdTables.add(rel(node.relation));

    if (kind === 'IndexStmt' && !node.concurrent && !o.createdTables.has(rel(node.relation))) {
      const cic = sql({ IndexStmt: { ...node, concurrent: true } });
      own({ transaction: false, lockTimeout: false, statements: [cic] });
      record('create-index-concurrently', [cic], 'CREATE INDEX holds SHARE on the table for the whole build: every write waits. CONCURRENTLY takes SHARE UPDATE EXCLUSIVE (reads and writes go on) and cannot run in a transaction, so it runs alone; if it fails it leaves an INVALID index to drop before a retry.');
      continue;
    }

    if (kind === 'AlterTableStmt' && node.objtype === 'OBJECT_TABLE' && !o.createdTables.has(rel(node.relation))) {
      const table = node.relation.relname as string;
      const kept: Node[] = [];
      const extra: HardenedUnit[] = [];
      const after: string[] = [];
      const notes: string[] = [];
      const patterns: string[] = [];
      for (const c of node.cmds as Node[]) {
        const cmd = c.AlterTableCmd as Node;
        const con = cmd.def?.Constraint as Node | undefined;
        if (cmd.subtype === 'AT_AddConstraint' && con?.contype === 'CONSTR_FOREIGN' && !con.skip_validation) {
          const name = con.conname ?? autoName(table, (con.fk_attrs ?? []).map(sv), 'fkey');
          const add = sql(alter(node.relation, [{ subtype: 'AT_AddConstraint', def: { Constraint: { ...con, conname: name, skip_validation: true, initially_valid: false } } }]));
          const validate = sql(alter(node.relation, [{ subtype: 'AT_ValidateConstraint', name }]));
          extra.push({ transaction: true, lockTimeout: true, statements: [add] }, { transaction: true, lockTimeout: false, statements: [validate] });
          after.push(`BEGIN; ${lt}; ${add}; COMMIT`, `BEGIN; ${validate}; COMMIT`);
          patterns.push('fk-not-valid');
          notes.push('ADD FOREIGN KEY validates every row while holding SHARE ROW EXCLUSIVE on both tables (their writes wait). NOT VALID makes the add brief; VALIDATE CONSTRAINT then scans under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on.');
          continue;
        }
        if (cmd.subtype === 'AT_AddConstraint' && con?.contype === 'CONSTR_UNIQUE' && !con.indexname && !con.including?.length && !con.options?.length && !con.deferrable) {
          const cols = (con.keys ?? []).map(sv);
          const name = con.conname ?? autoName(table, cols, 'key');
          const index = sql({ IndexStmt: { idxname: name, relation: node.relation, accessMethod: 'btree', unique: true, concurrent: true, nulls_not_distinct: con.nulls_not_distinct === true, indexParams: cols.map((col: string) => ({ IndexElem: { name: col, ordering: 'SORTBY_DEFAULT', nulls_ordering: 'SORTBY_NULLS_DEFAULT' } })) } });
          const attach = sql(alter(node.relation, [{ subtype: 'AT_AddConstraint', def: { Constraint: { contype: 'CONSTR_UNIQUE', conname: name, indexname: name } } }]));
          extra.push({ transaction: false, lockTimeout: false, statements: [index] }, { transaction: true, lockTimeout: true, statements: [attach] });
          after.push(index, `BEGIN; ${lt}; ${attach}; COMMIT`);
          patterns.push('unique-using-index');
          notes.push('ADD CONSTRAINT UNIQUE builds its index under ACCESS EXCLUSIVE: reads and writes wait for the whole build. A unique index built CONCURRENTLY, then attached with USING INDEX, holds ACCESS EXCLUSIVE only for the attach.');
          continue;
        }
        if (cmd.subtype === 'AT_SetNotNull') {
          const col = cmd.name as string;
          const check = autoName(table, [col], 'not_null');
          const add = sql(alter(node.relation, [{ subtype: 'AT_AddConstraint', def: { Constraint: { contype: 'CONSTR_CHECK', conname: check, is_enforced: true, skip_validation: true, initially_valid: false, raw_expr: { NullTest: { arg: colRef(col), nulltesttype: 'IS_NOT_NULL' } } } } }]));
          const validate = sql(alter(node.relation, [{ subtype: 'AT_ValidateConstraint', name: check }]));
          const set = sql(alter(node.relation, [{ subtype: 'AT_SetNotNull', name: col }]));
          const drop = sql(alter(node.relation, [{ subtype: 'AT_DropConstraint', name: check }]));
          extra.push({ transaction: true, lockTimeout: true, statements: [add] }, { transaction: true, lockTimeout: false, statements: [validate] }, { transaction: true, lockTimeout: true, statements: [set, drop] });
          after.push(`BEGIN; ${lt}; ${add}; COMMIT`, `BEGIN; ${validate}; COMMIT`, `BEGIN; ${lt}; ${set}; ${drop}; COMMIT`);
          patterns.push('not-null-via-check');
          notes.push('SET NOT NULL scans the whole table under ACCESS EXCLUSIVE. A CHECK … NOT VALID is brief, VALIDATE scans under SHARE UPDATE EXCLUSIVE (reads and writes go on), and SET NOT NULL then skips its scan because the validated check proves it (PostgreSQL 12+). The app must stop writing NULLs first: the NOT VALID check already refuses them.');
          continue;
        }
        if (cmd.subtype === 'AT_AlterColumnType') {
          notes.push('No safe rewrite: ALTER COLUMN … TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE unless the change is binary-coercible (e.g. varchar(n) → text; the rehearsal shows which). The safe way is expand/contract: a new column, dual writes, a batched backfill, then the switch (scenarios/change-column-type.ts). It keeps its form here, with lock_timeout and retries.');
          patterns.push('none');
        }
        if (cmd.subtype === 'AT_AddColumn') {
          const defaults = (cmd.def?.ColumnDef?.constraints ?? []).filter((k: Node) => k.Constraint?.contype === 'CONSTR_DEFAULT');
          const volatile = defaults.some((k: Node) => functionsIn(k.Constraint.raw_expr).some((f) => VOLATILE.has(f)));
          if (volatile) {
            notes.push('No safe rewrite in place: a volatile DEFAULT (e.g. gen_random_uuid()) makes ADD COLUMN rewrite the table under ACCESS EXCLUSIVE. The safe way: add the column without a default, SET DEFAULT (new rows), backfill the old rows in batches (scenarios/add-column.ts, variant safe-volatile). It keeps its form here, with lock_timeout and retries.');
            patterns.push('none');
          }
        }
        kept.push(c);
      }
      const rest = kept.length ? sql({ AlterTableStmt: { ...node, cmds: kept } }) : null;
      const restBlocks = kept.length > 0 && blocksWrites('AlterTableStmt', { ...node, cmds: kept }, o.createdTables);
      if (extra.length) {
        if (rest) own({ transaction: true, lockTimeout: restBlocks, statements: [rest] }, ...extra);
        else own(...extra);
        if (rest) after.unshift(restBlocks ? `BEGIN; ${lt}; ${rest}; COMMIT` : rest);
        record(patterns.filter((p) => p !== 'none').join('+'), after, notes.join(' '));
        continue;
      }
      if (restBlocks) {
        plain(st.sql, true);
        record(patterns.includes('none') ? 'none' : 'lock-timeout-retry', [lt, st.sql], [...notes, `Waits at most ${o.lockTimeoutMs} ms in the lock queue (a waiting ALTER blocks every query on the table behind it), then rolls back and is retried with backoff and jitter.`].join(' '));
        continue;
      }
    }

    if (blocksWrites(kind, node, o.createdTables)) {
      plain(st.sql, true);
      record('lock-timeout-retry', [lt, st.sql], `Takes a lock that blocks writes: waits at most ${o.lockTimeoutMs} ms in the lock queue, then rolls back and is retried with backoff and jitter.`);
      continue;
    }
    // Anything else (and statements that cannot run in a transaction) keeps its place and form.
    if (((kind === 'IndexStmt' || kind === 'DropStmt') && node.concurrent) || kind === 'VacuumStmt') own({ transaction: false, lockTimeout: false, statements: [st.sql] });
    else plain(st.sql, false);
  }
  closeOpen();
  return { units, rewrites };
}

/** The units as one SQL text: explicit transactions (SET LOCAL lock_timeout first where needed), autocommit statements alone. */
export function unitsToSql(units: readonly HardenedUnit[], lockTimeoutMs: number): string {
  return units.map((u) => {
    if (!u.transaction) return `${u.statements[0]};`;
    const body = [...(u.lockTimeout ? [`SET LOCAL lock_timeout = '${lockTimeoutMs}ms'`] : []), ...u.statements];
    return ['BEGIN;', ...body.map((s) => `${s};`), u.end === 'rollback' ? 'ROLLBACK;' : 'COMMIT;'].join('\n');
  }).join('\n');
}
