// A seeded bijection of [0, n): a balanced Feistel network over the next power of two, walked
// until it lands inside the range (cycle walking; fewer than 2 steps on average). Used where
// values must be distinct yet look random: unique picks of parents, unique keys, and scattering
// the "whale" parents of a skewed fan-out across the id range.
import { hash32, mix } from '../../seed/prng.ts';

export class Permutation {
  private readonly keys: number[];
  private readonly halfBits: number;
  private readonly halfMask: number;
  private readonly half: number;

  constructor(
    readonly size: number,
    seed: number,
  ) {
    if (!Number.isSafeInteger(size) || size < 1 || size > 2 ** 52) throw new RangeError(`permutation size must be a positive integer, got ${size}`);
    let bits = 2;
    while (2 ** bits < size) bits += 2;
    this.halfBits = bits / 2;
    this.half = 2 ** this.halfBits;
    this.halfMask = this.half - 1;
    this.keys = [0, 1, 2, 3].map((k) => hash32(seed, k, 0x7065726d));
  }

  /** The image of i (0 ≤ i < size). */
  at(i: number): number {
    // Outside [0, size) cycle walking need not end: callers size permutations to their rows.
    if (!(i >= 0 && i < this.size)) throw new RangeError(`permutation of ${this.size} asked for ${i}`);
    let x = i;
    do x = this.round(x);
    while (x >= this.size);
    return x;
  }

  private round(x: number): number {
    let l = Math.floor(x / this.half);
    let r = x % this.half;
    for (let k = 0; k < 4; k++) {
      // Round function on halves of at most 26 bits: one mix of the half and a per-round key.
      const f = mix(r ^ this.keys[k]!) & this.halfMask;
      const nl = r;
      r = (l ^ f) >>> 0; // halves are at most 26 bits, so 32-bit xor is exact
      l = nl;
    }
    return l * this.half + r;
  }
}
