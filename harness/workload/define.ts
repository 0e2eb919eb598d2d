// The public shape of a workload file: `export default defineWorkload({ queries, versions })`.
// An identity function, like defineScenario: free at run time, full type inference for authors.
import type { Param } from './generators.ts';

export interface QueryDef {
  /**
   * One SQL statement with `$1…$n` placeholders, or several run in order in one transaction
   * (each statement gets the parameters it references).
   */
  sql: string | string[];
  /** One generator (or literal) per placeholder: `params[0]` is `$1`. */
  params?: Param[];
  /** Share of the traffic, relative to the other queries (default 1). */
  weight?: number;
}

/**
 * What one app version changes over the base queries:
 * - a query it runs differently: `sql`, and `params` (the full list, which must begin with the
 *   base list: a request is made before the balancer picks an instance, so it carries the
 *   params every version may need);
 * - a query it adds: `{ sql, params, weight }`. Instances of versions without it answer 404,
 *   counted as errors, as a balancer would for clients that call an endpoint before its deploy;
 * - `null`: the version no longer serves that query (the same 404).
 */
export type VersionDef = Record<string, Partial<QueryDef> | null>;

export interface WorkloadDefinition {
  /** Query name → query. The name is the route: stalls and errors are reported per query. */
  queries: Record<string, QueryDef>;
  /** App version → what it changes over `queries`. Deploy steps name these versions. */
  versions?: Record<string, VersionDef>;
}

export const defineWorkload = <const T extends WorkloadDefinition>(workload: T): T => workload;
