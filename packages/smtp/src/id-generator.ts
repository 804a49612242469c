/**
 * Default ids for sessions and messages: 26 characters of Crockford base32, ULID-shaped (48-bit
 * millisecond time, then 80 random bits), so ids sort by creation time as strings. Within one
 * millisecond the random part is incremented, so ids from one generator are strictly increasing.
 * The clock is injected; randomness comes from node:crypto.
 */
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const RANDOM_CHARS = 16;

/** Create an id generator reading time from `clock` (ms since the epoch). */
export function createIdGenerator(clock: () => number = Date.now): () => string {
  let lastMs = -1;
  /** The 80 random bits as 16 base32 digits (values 0..31), most significant first. */
  const random = new Uint8Array(RANDOM_CHARS);
  let pool = Buffer.alloc(0);
  let poolPos = 0;

  const refill = () => {
    if (poolPos + RANDOM_CHARS > pool.length) {
      pool = randomBytes(RANDOM_CHARS * 256);
      poolPos = 0;
    }
    for (let i = 0; i < RANDOM_CHARS; i++) random[i] = (pool[poolPos + i] as number) & 31;
    poolPos += RANDOM_CHARS;
  };

  return () => {
    let ms = Math.max(0, Math.floor(clock()));
    if (ms <= lastMs) {
      // Same (or earlier) millisecond: keep the time, increment the random part.
      ms = lastMs;
      let i = RANDOM_CHARS - 1;
      while (i >= 0 && random[i] === 31) random[i--] = 0;
      if (i < 0) {
        // 2^80 ids in one millisecond cannot happen; move to the next millisecond to stay ordered.
        ms = lastMs + 1;
        refill();
      } else {
        random[i] = (random[i] as number) + 1;
      }
    } else {
      refill();
    }
    lastMs = ms;
    let time = "";
    let t = ms;
    for (let i = 0; i < 10; i++) {
      time = ALPHABET[t % 32] + time;
      t = Math.floor(t / 32);
    }
    let out = time;
    for (let i = 0; i < RANDOM_CHARS; i++) out += ALPHABET[random[i] as number];
    return out;
  };
}
