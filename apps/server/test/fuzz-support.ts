/** What the fuzz tests share: their pseudo-random source, and running connections a few at a time. */

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

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `count` connections, `concurrency` at a time, and returns their results. Connection `i`
 * draws from `random(firstSeed + i)`, a source of its own: what each one sends does not depend on
 * how the connections interleave, so a seed replays.
 */
export async function runConnections<T>(
  count: number,
  concurrency: number,
  firstSeed: number,
  connect: (r: Random) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < count) results.push(await connect(random(firstSeed + started++)));
    }),
  );
  return results;
}
