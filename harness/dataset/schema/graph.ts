// Foreign keys as a graph: tables in load order (parents first) for row counts, and cycles
// broken through a nullable (or DEFERRABLE) edge. A cycle of NOT NULL, non-deferrable keys
// cannot be broken: no application could ever insert its first row, so we refuse it.

export interface FkEdge {
  child: string;
  parent: string;
  /** e.g. "tasks.project_id → projects". */
  label: string;
  /** Nullable or DEFERRABLE: the cycle can be cut here. */
  breakable: boolean;
}

export interface TableOrder {
  /** Parents before children (over the edges that were not broken). */
  order: string[];
  broken: FkEdge[];
  /** Cycles that have no breakable edge, each as its edge labels. */
  unbreakable: string[][];
}

/** Strongly connected components (Tarjan, iterative-safe for schema sizes). */
function components(nodes: string[], out: Map<string, FkEdge[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const result: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const e of out.get(v) ?? []) {
      if (!idx.has(e.parent)) {
        visit(e.parent);
        low.set(v, Math.min(low.get(v)!, low.get(e.parent)!));
      } else if (on.has(e.parent)) low.set(v, Math.min(low.get(v)!, idx.get(e.parent)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      result.push(comp);
    }
  };
  for (const n of nodes) if (!idx.has(n)) visit(n);
  return result;
}

/** One cycle inside `members` over `edges`, as edges, or null. */
function findCycle(members: Set<string>, edges: FkEdge[]): FkEdge[] | null {
  const out = new Map<string, FkEdge[]>();
  for (const e of edges) if (members.has(e.child) && members.has(e.parent)) out.set(e.child, [...(out.get(e.child) ?? []), e]);
  const state = new Map<string, 1 | 2>();
  const path: FkEdge[] = [];
  const dfs = (v: string): FkEdge[] | null => {
    state.set(v, 1);
    for (const e of out.get(v) ?? []) {
      if (state.get(e.parent) === 1) {
        const start = path.findIndex((p) => p.child === e.parent);
        return [...path.slice(start === -1 ? path.length : start), e];
      }
      if (!state.has(e.parent)) {
        path.push(e);
        const c = dfs(e.parent);
        if (c) return c;
        path.pop();
      }
    }
    state.set(v, 2);
    return null;
  };
  for (const m of [...members].sort()) if (!state.has(m)) {
    const c = dfs(m);
    if (c) return c;
  }
  return null;
}

export function orderTables(nodes: string[], allEdges: FkEdge[]): TableOrder {
  let edges = allEdges.filter((e) => e.child !== e.parent);
  const broken: FkEdge[] = [];
  const unbreakable: string[][] = [];
  const out = new Map<string, FkEdge[]>();
  for (const e of edges) out.set(e.child, [...(out.get(e.child) ?? []), e]);
  for (const comp of components(nodes, out)) {
    if (comp.length < 2) continue;
    const members = new Set(comp);
    for (let cycle = findCycle(members, edges); cycle; cycle = findCycle(members, edges)) {
      const cut = cycle.find((e) => e.breakable);
      if (cut) broken.push(cut);
      else unbreakable.push(cycle.map((e) => e.label));
      const drop = cut ?? cycle[0]!;
      edges = edges.filter((e) => e !== drop);
    }
  }
  // Kahn's algorithm, ties by name so the order never depends on catalog order.
  const parents = new Map(nodes.map((n) => [n, new Set<string>()]));
  for (const e of edges) parents.get(e.child)?.add(e.parent);
  const order: string[] = [];
  const done = new Set<string>();
  const ready = () => [...parents].filter(([n, ps]) => !done.has(n) && [...ps].every((p) => done.has(p) || !parents.has(p))).map(([n]) => n).sort();
  for (let next = ready(); next.length; next = ready()) {
    for (const n of next) {
      done.add(n);
      order.push(n);
    }
  }
  return { order, broken, unbreakable };
}
