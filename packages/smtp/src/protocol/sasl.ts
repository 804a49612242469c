/**
 * SASL pieces for AUTH (RFC 4954): base64 responses, PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login)
 * and CRAM-MD5 (RFC 2195). Pure functions; the conversation itself lives in the AUTH verb handler.
 * This file performs no I/O (HMAC is computation).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The mechanisms announced in EHLO, in order. */
export const SASL_MECHANISMS = ["PLAIN", "LOGIN", "CRAM-MD5"] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decode a client's base64 SASL response. RFC 4954 section 4: "=" is an empty initial response.
 * Returns null when the text is not valid base64 (reply 501).
 */
export function decodeSaslResponse(text: string): Buffer | null {
  if (text === "=") return Buffer.alloc(0);
  if (!BASE64.test(text)) return null;
  return Buffer.from(text, "base64");
}

/** RFC 4616 section 2: message = [authzid] UTF8NUL authcid UTF8NUL passwd. Null when malformed. */
export function parsePlainResponse(
  decoded: Buffer,
): { authzid: string; username: string; password: string } | null {
  const first = decoded.indexOf(0);
  if (first === -1) return null;
  const second = decoded.indexOf(0, first + 1);
  if (second === -1 || decoded.indexOf(0, second + 1) !== -1) return null;
  const username = decoded.subarray(first + 1, second).toString("utf8");
  if (username === "") return null;
  return {
    authzid: decoded.subarray(0, first).toString("utf8"),
    username,
    password: decoded.subarray(second + 1).toString("utf8"),
  };
}

/** RFC 2195: the challenge is a msg-id like string, `<unique.timestamp@hostname>`. */
export function formatCramMd5Challenge(unique: string, timestampMs: number, hostname: string): string {
  return `<${unique}.${timestampMs}@${hostname}>`;
}

/** RFC 2195: the response is "username SP 32-lowercase-hex-digest". Null when malformed. */
export function parseCramMd5Response(decoded: Buffer): { username: string; digest: string } | null {
  const text = decoded.toString("utf8");
  const space = text.lastIndexOf(" ");
  if (space <= 0) return null;
  const digest = text.slice(space + 1).toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(digest)) return null;
  return { username: text.slice(0, space), digest };
}

/** A function that tells whether `password` produced `digest` for `challenge` (HMAC-MD5, RFC 2104). */
export function createCramMd5Verifier(challenge: string, digest: string): (password: string) => boolean {
  const expected = Buffer.from(digest, "hex");
  return (password) => {
    const actual = createHmac("md5", password).update(challenge).digest();
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  };
}
