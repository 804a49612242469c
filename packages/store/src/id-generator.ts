/**
 * Time-ordered, sortable message ids in the shape of a ULID: 26 characters of Crockford base32,
 * 10 for the millisecond time and 16 for 80 random bits. Invariant: ids from one generator are
 * strictly increasing as strings, also within one millisecond and when the clock steps back
 * (the random part is then incremented from the last id instead of drawn anew).
 */
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_LENGTH = 10;
const RANDOM_LENGTH = 16;

/**
 * Creates an id generator. `clock` returns milliseconds since the epoch (default `Date.now`), so
 * tests can make ids deterministic in their time part.
 */
export function createIdGenerator(clock: () => number = Date.now): () => string {
  let lastTime = -1;
  // 16 base32 digits (5 bits each) of the random part, most significant first.
  let lastRandom: number[] = [];

  return function newId(): string {
    let time = Math.floor(clock());
    if (time < 0 || !Number.isFinite(time)) time = 0;
    if (time <= lastTime) {
      time = lastTime;
      lastRandom = incrementBase32(lastRandom);
    } else {
      lastTime = time;
      lastRandom = randomDigits();
    }
    return encodeTime(time) + lastRandom.map((d) => ALPHABET[d]).join("");
  };
}

function encodeTime(time: number): string {
  let out = "";
  let rest = time;
  for (let i = 0; i < TIME_LENGTH; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function randomDigits(): number[] {
  const bytes = randomBytes(RANDOM_LENGTH);
  // The top bit is cleared so that increments within one millisecond cannot realistically overflow.
  const digits = Array.from(bytes, (b) => b & 31);
  digits[0] = (digits[0] ?? 0) & 15;
  return digits;
}

function incrementBase32(digits: number[]): number[] {
  const next = digits.slice();
  for (let i = next.length - 1; i >= 0; i--) {
    const d = next[i] ?? 0;
    if (d < 31) {
      next[i] = d + 1;
      return next;
    }
    next[i] = 0;
  }
  throw new Error("id generator overflow within one millisecond");
}
