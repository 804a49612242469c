/** The fuzz tests' pseudo-random source. */

/**
 * xorshift32: deterministic, so a failing seed can be replayed. The seed is mixed first (murmur3's
 * finalizer): xorshift's first outputs for neighbouring seeds are nearly equal, and the fuzz gives
 * each connection a seed of its own, one apart.
 */
export function random(seed: number) {
  let x = seed;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  x = x >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256))),
  };
}
export type Random = ReturnType<typeof random>;
