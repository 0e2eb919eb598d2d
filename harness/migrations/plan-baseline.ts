// Everything about the baseline that can be known before touching a server: every file parsed
// (all syntax errors reported together, with file:line:col), psql meta-commands set aside, and
// the extensions and roles the statements need.
import { loadModule, parseSync } from 'libpg-query';
import { RehearseError } from '../errors.ts';
import { SqlSyntaxError, splitStatements, type ParsedStatement } from '../sql/split-statements.ts';
import { stripPsqlMeta } from './psql-meta.ts';
import type { SqlFile } from './read-sql-sources.ts';

export interface BaselineStatement extends ParsedStatement {
  file: string;
  /** `file:line`, for messages. */
  where: string;
  /** BEGIN/START TRANSACTION = 1, COMMIT/ROLLBACK/END = -1, else 0 (the file's own transactions). */
  transaction: 1 | -1 | 0;
}

export interface BaselinePlan {
  statements: BaselineStatement[];
  /** psql meta-commands left out, as `file:line: \cmd`. */
  skippedMeta: string[];
  extensions: { name: string; where: string }[];
  /** Roles named by OWNER TO, GRANT, policies…, and not created by the files themselves. */
  roles: string[];
}

type Node = Record<string, unknown>;

/** Role names anywhere in a parse tree (RoleSpec nodes: in lists, and as fields such as newowner). */
function roleNames(tree: unknown, out: string[] = []): string[] {
  if (Array.isArray(tree)) for (const x of tree) roleNames(x, out);
  else if (tree && typeof tree === 'object') {
    const n = tree as Node;
    if (n.roletype === 'ROLESPEC_CSTRING' && typeof n.rolename === 'string') out.push(n.rolename);
    for (const v of Object.values(n)) roleNames(v, out);
  }
  return out;
}


export async function planBaseline(files: readonly SqlFile[]): Promise<BaselinePlan> {
  await loadModule();
  const plan: BaselinePlan = { statements: [], skippedMeta: [], extensions: [], roles: [] };
  const syntax: string[] = [];
  const named = new Set<string>();
  const created = new Set<string>();
  for (const file of files) {
    const { sql, skipped } = await stripPsqlMeta(file.sql);
    plan.skippedMeta.push(...skipped.map((m) => `${file.path}:${m.line}: ${m.text}`));
    let stmts: ParsedStatement[];
    try {
      stmts = await splitStatements(sql);
    } catch (err) {
      if (!(err instanceof SqlSyntaxError)) throw err;
      syntax.push(`${file.path}:${err.line}:${err.column}: ${err.message}`);
      continue;
    }
    for (const st of stmts) {
      const tree = parseSync(st.sql).stmts?.[0]?.stmt as Node | undefined;
      const node = (tree?.[st.kind] ?? {}) as Node;
      const where = `${file.path}:${st.line}`;
      plan.statements.push({ ...st, file: file.path, where, transaction: st.control === 'begin' ? 1 : st.control ? -1 : 0 });
      if (st.kind === 'CreateExtensionStmt') plan.extensions.push({ name: node.extname as string, where });
      if (st.kind === 'CreateRoleStmt') created.add(node.role as string);
      for (const r of roleNames(tree)) named.add(r);
    }
  }
  if (syntax.length) {
    throw new RehearseError('REH_SQL_SYNTAX', `${syntax.length === 1 ? 'a syntax error' : `${syntax.length} syntax errors`}:\n  - ${syntax.join('\n  - ')}`, {
      where: syntax[0]!.split(': ')[0],
    });
  }
  plan.roles = [...named].filter((r) => !created.has(r)).sort();
  return plan;
}
