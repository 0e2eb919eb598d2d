// How the load models split traffic over the targets in rotation by their weights (slow start).
// Equal weights give plain round robin, so nothing changes for a balancer without slow start.
import type { LoadTarget } from './types.ts';

const weightOf = (t: LoadTarget): number => (t.weight !== undefined && t.weight > 0 ? t.weight : t.weight === undefined ? 1 : 0);

/**
 * Smooth weighted round robin (nginx): deterministic, spreads a target's picks evenly instead of in
 * bursts, and follows weights that change between picks (a slow-start ramp).
 */
export class WeightedPicker {
  private readonly current = new Map<string, number>();

  pick(targets: readonly LoadTarget[]): LoadTarget {
    let total = 0;
    let best: LoadTarget = targets[0]!;
    let bestCurrent = -Infinity;
    for (const t of targets) {
      const w = weightOf(t);
      total += w;
      const c = (this.current.get(t.id) ?? 0) + w;
      this.current.set(t.id, c);
      if (c > bestCurrent) {
        best = t;
        bestCurrent = c;
      }
    }
    this.current.set(best.id, bestCurrent - total);
    // Forget targets that left rotation, so a returning id starts fresh.
    if (this.current.size > targets.length) {
      const live = new Set(targets.map((t) => t.id));
      for (const id of this.current.keys()) if (!live.has(id)) this.current.delete(id);
    }
    return best;
  }
}

/** Closed model: `connections` split over the targets by weight (largest remainder), in rotation order. */
export const shareConnections = (connections: number, targets: readonly LoadTarget[]): number[] => {
  const weights = targets.map(weightOf);
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return targets.map(() => 0);
  const exact = weights.map((w) => (connections * w) / total);
  const out = exact.map(Math.floor);
  let left = connections - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left-- <= 0) break;
    out[i]!++;
  }
  return out;
};
