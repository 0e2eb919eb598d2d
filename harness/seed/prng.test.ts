import { describe, expect, it } from 'vitest';
import { hash32, hashKey, hashWithKey } from './prng.ts';

describe('hash32', () => {
  it('should give the same value when split into a key and a per-id half, ids past 2^32 included', () => {
    for (const [seed, salt] of [[0, 0], [1, 0x75736572], [0xffffffff, 12345]] as const) {
      const key = hashKey(seed, salt);
      for (const id of [0, 1, 2, 1_000_003, 2 ** 32 + 5, 2 ** 52 - 1]) expect(hashWithKey(key, id)).toBe(hash32(seed, id, salt));
    }
  });
});
