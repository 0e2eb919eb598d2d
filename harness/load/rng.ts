// Seeded PRNG so a run's request mix is reproducible from its seed (Math.random is not seedable).

/** mulberry32: tiny, fast, good enough for picking routes and ids; not cryptographic. Returns [0, 1). */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};
