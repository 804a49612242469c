/**
 * The bytes every server receives: built once per size from a fixed seed, so every run and every
 * server get the same load. A message is a small per-message header (unique Subject and Message-ID,
 * used to match websocket events) followed by a shared payload buffer, never copied per message.
 *
 * Invariants: payload lines are CRLF-terminated, at most 78 octets, and never start with "." (no
 * dot-stuffing needed); the payload ends with CRLF so ".\r\n" terminates the DATA.
 */

/** Deterministic 32-bit PRNG (mulberry32); `next()` returns [0, 1). */
export function createRandom(seed: number): { next(): number; int(max: number): number } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (max) => Math.floor(next() * max) };
}

export const BENCH_SEED = 0x6d61696c; // "mail"

/** Words used for payload text and for the stored-volume subjects; some are searched for. */
export const WORDS = [
  "account",
  "invoice",
  "order",
  "shipping",
  "password",
  "reset",
  "welcome",
  "newsletter",
  "report",
  "weekly",
  "meeting",
  "project",
  "update",
  "release",
  "build",
  "failed",
  "passed",
  "customer",
  "support",
  "ticket",
  "payment",
  "receipt",
  "confirm",
  "address",
  "delivery",
  "schedule",
  "team",
  "review",
  "change",
  "request",
  "approved",
  "pending",
  "notice",
  "security",
  "alert",
  "login",
  "device",
  "summary",
  "monthly",
  "quarter",
  "budget",
  "travel",
  "booking",
  "hotel",
  "flight",
] as const;

/** Text lines of about `size` octets (CRLF included), from the seeded PRNG. */
export function buildPayload(size: number, seed = BENCH_SEED): Buffer {
  const random = createRandom(seed ^ size);
  const lines: string[] = [];
  let total = 0;
  while (total < size) {
    let line = "";
    while (line.length < 64) line += (line ? " " : "") + (WORDS[random.int(WORDS.length)] ?? "mail");
    const remaining = size - total - 2;
    if (remaining < line.length) line = line.slice(0, Math.max(1, remaining));
    lines.push(line);
    total += line.length + 2;
  }
  return Buffer.from(lines.join("\r\n") + "\r\n", "latin1");
}

/** The header block of one benchmark message; `key` becomes the Subject and the Message-ID. */
export function buildHeader(key: string): Buffer {
  return Buffer.from(
    `From: Bench Sender <sender@bench.test>\r\n` +
      `To: Bench Inbox <inbox@mailpen.test>\r\n` +
      `Subject: ${key}\r\n` +
      `Message-ID: <${key}@bench.test>\r\n` +
      `Date: Sat, 28 Nov 2026 10:00:00 +0000\r\n` +
      `MIME-Version: 1.0\r\n` +
      `Content-Type: text/plain; charset=us-ascii\r\n` +
      `\r\n`,
    "latin1",
  );
}

/** Payload size for a nominal message size, so header + payload is about `size` octets. */
export function payloadSizeFor(size: number): number {
  return Math.max(64, size - buildHeader("bench-r0-c0-0000000").length);
}

/** Formats a size in octets as "1 KB", "100 KB", "5 MB" (binary units, as the issue names them). */
export function formatSize(size: number): string {
  if (size >= 1e6 && size % 1e6 === 0 && size % (1024 * 1024) !== 0) return `${size / 1e6} MB (decimal)`;
  if (size >= 1024 * 1024) return `${Math.round(size / (1024 * 1024))} MB`;
  return `${Math.round(size / 1024)} KB`;
}

const SENDERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"];
const DOMAINS = ["example.com", "shop.test", "bank.test", "ci.test", "news.test"];

/** The rare word planted in one message out of 1,000 of the stored-volume fill (a selective search). */
export const RARE_WORD = "zebracorn";

/**
 * One message of the stored-volume fill, about 1 to 3 KB: varied senders, subjects and text from the
 * seeded PRNG (`random`), so lists and searches see realistic spread. Deterministic for a given seed.
 */
export function buildVolumeMessage(index: number, random: ReturnType<typeof createRandom>): Buffer {
  const word = (): string => WORDS[random.int(WORDS.length)] ?? "mail";
  const sender = SENDERS[random.int(SENDERS.length)] ?? "alice";
  const domain = DOMAINS[random.int(DOMAINS.length)] ?? "example.com";
  const subject = `${word()} ${word()} ${word()} #${index}${index % 1000 === 0 ? ` ${RARE_WORD}` : ""}`;
  const lines: string[] = [];
  const bodyLines = 12 + random.int(30);
  for (let i = 0; i < bodyLines; i++) {
    lines.push(Array.from({ length: 8 + random.int(5) }, word).join(" "));
  }
  return Buffer.from(
    `From: ${sender} <${sender}@${domain}>\r\n` +
      `To: Inbox <inbox@mailpen.test>\r\n` +
      `Subject: ${subject}\r\n` +
      `Message-ID: <volume-${index}@bench.test>\r\n` +
      // A fixed, shuffled Date: the inbox must order by arrival, never by this header.
      `Date: ${new Date(Date.UTC(2026, 0, 1) + random.int(300 * 86_400) * 1000).toUTCString().replace("GMT", "+0000")}\r\n` +
      `MIME-Version: 1.0\r\n` +
      `Content-Type: text/plain; charset=us-ascii\r\n` +
      `\r\n` +
      lines.join("\r\n") +
      `\r\n`,
    "latin1",
  );
}
