// Counter-based randomness: every row's values derive from (seed, id, salt) alone, so the
// streams of related tables can be rendered independently (even concurrently, on two
// connections) and still agree on shared facts such as a parent row's creation time.

/** Final mixer of murmur3-like hashes (lowbias32 constants): good avalanche, 4 multiplies. */
export const mix = (h: number): number => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
};

/** Uniform uint32 for (seed, id, salt). Ids up to 2^53 are hashed in full. */
export const hash32 = (seed: number, id: number, salt: number): number => {
  const lo = id >>> 0;
  const hi = Math.floor(id / 4294967296) >>> 0;
  return mix(mix(mix(seed ^ Math.imul(salt, 0x9e3779b9)) ^ lo) ^ hi);
};

/**
 * hash32 in two halves, for hot loops over ids with a fixed (seed, salt): the key once, then
 * hashWithKey(hashKey(seed, salt), id) === hash32(seed, id, salt) at two mixes per id.
 */
export const hashKey = (seed: number, salt: number): number => mix(seed ^ Math.imul(salt, 0x9e3779b9));
export const hashWithKey = (key: number, id: number): number => mix(mix(key ^ (id >>> 0)) ^ (Math.floor(id / 4294967296) >>> 0));

/** Uniform float in [0, 1) for (seed, id, salt). */
export const hashFloat = (seed: number, id: number, salt: number): number => hash32(seed, id, salt) / 4294967296;

/**
 * mulberry32: one 32-bit word of state, a handful of integer ops per draw. Reseeded per row
 * from hash32 so one instance serves a whole stream without allocating.
 */
export class Prng {
  private state = 0;

  reseed(state: number): this {
    this.state = state | 0;
    return this;
  }

  /** Uniform uint32. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.float() * n);
  }
}
