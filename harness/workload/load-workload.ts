// Loads a workload from a file (`export default defineWorkload({...})`) or takes a definition
// given inline, resolves it, and turns every problem into one coded error whose lines point into
// the file that holds the workload.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RehearseError } from '../errors.ts';
import type { WorkloadDefinition } from './define.ts';
import { resolveWorkload, type ResolvedWorkload, type WorkloadProblem } from './resolve.ts';

export interface LoadedWorkload {
  definition: WorkloadDefinition;
  resolved: ResolvedWorkload;
  /** The file it came from, when it came from one. */
  file: string | null;
}

/**
 * `source` is a path to a workload file or a definition. `definedIn` is the file an inline
 * definition sits in (a scenario file), so errors can still point at a line.
 */
export async function loadWorkload(source: string | WorkloadDefinition, definedIn: string | null = null): Promise<LoadedWorkload> {
  let definition: WorkloadDefinition;
  let file = definedIn;
  if (typeof source === 'string') {
    file = path.resolve(source);
    if (!existsSync(file)) throw new RehearseError('REH_WORKLOAD_INVALID', `workload file not found: ${source}`, { where: file });
    let mod: { default?: unknown };
    try {
      mod = await import(pathToFileURL(file).href);
    } catch (cause) {
      throw new RehearseError('REH_WORKLOAD_INVALID', `could not load the workload file: ${(cause as Error).message}`, { cause, where: file });
    }
    if (!mod.default || typeof mod.default !== 'object') {
      throw new RehearseError('REH_WORKLOAD_INVALID', 'the workload file has no default export of defineWorkload({...})', { where: file });
    }
    definition = mod.default as WorkloadDefinition;
  } else {
    definition = source;
  }
  const { workload, problems } = await resolveWorkload(definition);
  if (!workload) throw workloadError(problems, file);
  return { definition, resolved: workload, file: typeof source === 'string' ? file : null };
}

export function workloadError(problems: WorkloadProblem[], file: string | null): RehearseError {
  const text = file && existsSync(file) ? readFileSync(file, 'utf8') : null;
  // In file order, so the list reads top to bottom like the file.
  const located = problems.map((p) => ({ p, where: text ? locate(text, p) : null })).sort((a, b) => (a.where ?? Infinity) - (b.where ?? Infinity));
  const lines = located.map(({ p, where }) => `  - ${where && file ? `${path.relative(process.cwd(), file) || file}:${where}: ` : ''}${p.message}`);
  const first = located.find((l) => l.where)?.where;
  return new RehearseError('REH_WORKLOAD_INVALID', `invalid workload (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, {
    where: file ? (first ? `${file}:${first}` : file) : undefined,
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const keyPattern = (name: string) => new RegExp(`(^|[\\s{,])(['"\`]?)${escape(name)}\\2\\s*:`);

/** Line of a problem in the file: the version's key, then the query's key after it, then the SQL line. */
function locate(text: string, p: WorkloadProblem): number | null {
  const lines = text.split('\n');
  const find = (name: string, from: number) => {
    const re = keyPattern(name);
    for (let i = from; i < lines.length; i++) if (re.test(lines[i]!)) return i;
    return -1;
  };
  let at = 0;
  if (p.version) {
    const v = find('versions', 0);
    at = find(p.version, Math.max(0, v));
    if (at < 0) return null;
  } else if (p.query) {
    at = Math.max(0, find('queries', 0));
  }
  if (p.query) {
    const q = find(p.query, at);
    if (q < 0) return at + 1;
    at = q;
    if (p.sqlLine) {
      const sql = find('sql', q);
      if (sql >= 0) return sql + p.sqlLine;
    }
  }
  return at + 1;
}
