// The balancer's rotation: which app instances receive new traffic, and how much. With slow start
// (as in AWS ALB and Envoy) an instance that joins during a deploy is cold (JIT, empty pool), so its
// share ramps up linearly instead of jumping to full. Weights are relative: when every instance in
// rotation is new, they share by how far along each one is.
import { now } from '../clock.ts';
import type { Balancer, LoadTarget } from '../load/types.ts';

/** Envoy's default min_weight_percent: from its first moment a new instance gets 10 % of a full share. */
export const SLOW_START_MIN_WEIGHT = 0.1;

/** Relative weight of an instance that joined rotation `sinceJoinMs` ago; 1 once the ramp is over or when off. */
export const slowStartWeight = (sinceJoinMs: number, slowStartMs: number): number =>
  slowStartMs <= 0 || sinceJoinMs >= slowStartMs ? 1 : Math.max(SLOW_START_MIN_WEIGHT, sinceJoinMs / slowStartMs);

export class Rotation<T extends LoadTarget> implements Balancer {
  private members: { target: T; joinedAt: number | null }[] = [];

  /** slowStartMs 0 = off: a new instance gets its full share at once. */
  constructor(readonly slowStartMs: number, private readonly clock: () => number = now) {}

  /** `warm: true` for the initial fleet (warm-up covers it), false for an instance joining a running service. */
  add(target: T, opts: { warm: boolean }): void {
    this.members.push({ target, joinedAt: opts.warm ? null : this.clock() });
  }

  remove(target: T): void {
    this.members = this.members.filter((m) => m.target !== target);
  }

  clear(): void {
    this.members = [];
  }

  list(): T[] {
    return this.members.map((m) => m.target);
  }

  inRotation(): readonly LoadTarget[] {
    if (this.slowStartMs <= 0) return this.list();
    const t = this.clock();
    return this.members.map((m) => ({ id: m.target.id, origin: m.target.origin, weight: m.joinedAt === null ? 1 : slowStartWeight(t - m.joinedAt, this.slowStartMs) }));
  }
}
