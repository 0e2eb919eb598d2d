// Which relations (and types) each migration statement touches, read from PostgreSQL's own
// parse tree (libpg-query): the table altered, the table an index is built on, the table a new
// FK references, the tables a backfill reads and writes… The derived default workload puts its
// load on exactly these tables. Names come back as PostgreSQL resolves them: unquoted folded to
// lower case, quoted kept as written, schema when the statement gives one.
import { loadModule, parseSync } from 'libpg-query';
import { lineAt } from './split-statements.ts';

export type TouchKind =
  | 'create' // CREATE TABLE / VIEW / … (the relation is new)
  | 'alter' // ALTER TABLE / INDEX / …
  | 'drop'
  | 'index' // CREATE INDEX on it, REINDEX, CLUSTER
  | 'reference' // a new FK points at it
  | 'read' // FROM / JOIN of a query, CREATE TABLE … AS source
  | 'write' // INSERT / UPDATE / DELETE / MERGE target, COPY
  | 'lock' // LOCK TABLE
  | 'truncate'
  | 'rename'
  | 'trigger' // CREATE TRIGGER / POLICY / RULE on it
  | 'other'; // GRANT, COMMENT, VACUUM, ANALYZE, …

export interface ColumnChange {
  name: string;
  /** e.g. 'DropColumn', 'AddColumn', 'AlterColumnType', 'SetNotNull', 'Rename' */
  change: string;
}

export interface TouchedRelation {
  /** 'relation' for tables, indexes, views, sequences; 'type' for ALTER/DROP TYPE and domains. */
  kind: 'relation' | 'type';
  schema: string | null;
  name: string;
  how: TouchKind;
  /** Columns the statement changes, for ALTER TABLE and RENAME COLUMN. */
  columns: ColumnChange[];
  /** 0-based index of the statement in the text, and the 1-based line of its first token. */
  statement: number;
  line: number;
}

type Node = Record<string, unknown>;

let loaded: Promise<void> | null = null;
const ready = () => (loaded ??= loadModule());

const DROP_KIND: Record<string, 'relation' | 'type'> = {
  OBJECT_TABLE: 'relation', OBJECT_INDEX: 'relation', OBJECT_VIEW: 'relation', OBJECT_MATVIEW: 'relation',
  OBJECT_SEQUENCE: 'relation', OBJECT_FOREIGN_TABLE: 'relation', OBJECT_TYPE: 'type', OBJECT_DOMAIN: 'type',
};

/** How a RangeVar found under `field` of a `stmtKind` statement is touched. */
function touchOf(stmtKind: string, field: string, inQuery: boolean): TouchKind {
  if (field === 'pktable') return 'reference';
  if (inQuery) return 'read';
  switch (stmtKind) {
    case 'CreateStmt': case 'ViewStmt': case 'CreateTableAsStmt': case 'CreateSeqStmt': case 'CreateForeignTableStmt':
      return field === 'relation' || field === 'rel' || field === 'view' || field === 'sequence' ? 'create' : 'other';
    case 'AlterTableStmt': case 'AlterSeqStmt': return 'alter';
    case 'IndexStmt': case 'ReindexStmt': case 'ClusterStmt': return 'index';
    case 'InsertStmt': case 'UpdateStmt': case 'DeleteStmt': case 'MergeStmt': case 'CopyStmt': return 'write';
    case 'LockStmt': return 'lock';
    case 'TruncateStmt': return 'truncate';
    case 'RenameStmt': return 'rename';
    case 'CreateTrigStmt': case 'CreatePolicyStmt': case 'AlterPolicyStmt': case 'RuleStmt': return 'trigger';
    default: return 'other';
  }
}

const strings = (list: unknown): string[] =>
  Array.isArray(list) ? list.map((n) => (n as { String?: { sval?: string } }).String?.sval).filter((s): s is string => typeof s === 'string') : [];

const qualified = (parts: string[]): { schema: string | null; name: string } =>
  parts.length >= 2 ? { schema: parts[parts.length - 2]!, name: parts[parts.length - 1]! } : { schema: null, name: parts[0] ?? '' };

function columnChanges(stmtKind: string, node: Node): ColumnChange[] {
  if (stmtKind === 'RenameStmt' && node.renameType === 'OBJECT_COLUMN') {
    return [{ name: String(node.subname), change: 'Rename' }, { name: String(node.newname), change: 'RenameTo' }];
  }
  if (stmtKind !== 'AlterTableStmt') return [];
  const out: ColumnChange[] = [];
  for (const c of (node.cmds as Node[] | undefined) ?? []) {
    const cmd = c.AlterTableCmd as Node | undefined;
    if (!cmd) continue;
    const change = String(cmd.subtype ?? '').replace(/^AT_/, '');
    const def = (cmd.def as Node | undefined)?.ColumnDef as Node | undefined;
    const name = typeof cmd.name === 'string' ? cmd.name : typeof def?.colname === 'string' ? def.colname : null;
    if (name) out.push({ name, change });
  }
  return out;
}

/** Every relation and type each statement of `sql` touches. Throws on a syntax error (see splitStatements). */
export async function touchedRelations(sql: string): Promise<TouchedRelation[]> {
  await ready();
  const parsed = parseSync(sql) as { stmts?: { stmt: Node; stmt_location?: number }[] };
  const out: TouchedRelation[] = [];
  for (const [i, raw] of (parsed.stmts ?? []).entries()) {
    const [stmtKind, node] = Object.entries(raw.stmt)[0] as [string, Node];
    const start = raw.stmt_location ?? 0;
    const lead = sql.slice(start).length - sql.slice(start).trimStart().length;
    const line = lineAt(sql, start + lead);
    const seen = new Set<string>();
    const add = (kind: 'relation' | 'type', schema: string | null, name: string, how: TouchKind, columns: ColumnChange[] = []) => {
      const key = `${kind}|${schema}|${name}|${how}`;
      if (!name || seen.has(key)) return;
      seen.add(key);
      out.push({ kind, schema, name, how, columns, statement: i, line });
    };

    // CTE names are not relations: `WITH x AS (…) … FROM x`.
    const ctes = new Set<string>();
    const collectCtes = (n: unknown): void => {
      if (Array.isArray(n)) return n.forEach(collectCtes);
      if (!n || typeof n !== 'object') return;
      for (const [k, v] of Object.entries(n as Node)) {
        if (k === 'CommonTableExpr' && typeof (v as Node).ctename === 'string') ctes.add((v as Node).ctename as string);
        collectCtes(v);
      }
    };
    collectCtes(node);

    const changes = columnChanges(stmtKind, node);
    // Walk the tree: every RangeVar (an object with a relname) is a relation. The field it sits
    // in and whether it is inside a query (SELECT, FROM, USING) say how it is touched.
    const walk = (n: unknown, field: string, inQuery: boolean): void => {
      if (Array.isArray(n)) return n.forEach((x) => walk(x, field, inQuery));
      if (!n || typeof n !== 'object') return;
      const obj = n as Node;
      if (typeof obj.relname === 'string') {
        const schema = typeof obj.schemaname === 'string' ? obj.schemaname : null;
        if (!schema && ctes.has(obj.relname)) return;
        const how = touchOf(stmtKind, field, inQuery);
        add('relation', schema, obj.relname, how, how === 'alter' || how === 'rename' ? changes : []);
        return;
      }
      for (const [k, v] of Object.entries(obj)) {
        const query = inQuery || k === 'SelectStmt' || k === 'fromClause' || k === 'usingClause' || k === 'sourceRelation';
        // A wrapper node ({ RangeVar: … }, { List: … }) keeps the field it sits in.
        walk(v, /^[A-Z]/.test(k) ? field : k, query);
      }
    };
    walk(node, '', stmtKind === 'SelectStmt');

    if (stmtKind === 'DropStmt') {
      const kind = DROP_KIND[String(node.removeType)];
      if (kind) {
        for (const obj of (node.objects as Node[] | undefined) ?? []) {
          const parts = obj.List ? strings((obj.List as Node).items) : obj.TypeName ? strings((obj.TypeName as Node).names) : [];
          const q = qualified(parts);
          add(kind, q.schema, q.name, 'drop');
        }
      }
    }
    if (stmtKind === 'AlterEnumStmt') {
      const q = qualified(strings(node.typeName));
      add('type', q.schema, q.name, 'alter');
    }
    if (stmtKind === 'AlterDomainStmt') {
      const q = qualified(strings(node.typeName));
      add('type', q.schema, q.name, 'alter');
    }
    if (stmtKind === 'RenameStmt' && (node.renameType === 'OBJECT_TYPE' || node.renameType === 'OBJECT_DOMAIN')) {
      const parts = (node.object as Node | undefined)?.List ? strings(((node.object as Node).List as Node).items) : [];
      const q = qualified(parts);
      add('type', q.schema, q.name, 'rename');
    }
  }
  return out;
}
