/**
 * A minimal DER encoder (ITU-T X.690), just enough to build an X.509 certificate: Node can sign but
 * cannot create certificates. Definite lengths only; every function returns the complete TLV.
 * No I/O.
 */

/** Encode a tag + definite length + content. */
export function derTlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let header: Buffer;
  if (n < 0x80) {
    header = Buffer.from([tag, n]);
  } else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    header = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([header, content]);
}

export const derSequence = (...items: Buffer[]) => derTlv(0x30, Buffer.concat(items));
export const derSet = (...items: Buffer[]) => derTlv(0x31, Buffer.concat(items));
export const derNull = () => Buffer.from([0x05, 0x00]);
export const derUtf8String = (text: string) => derTlv(0x0c, Buffer.from(text, "utf8"));
export const derOctetString = (content: Buffer) => derTlv(0x04, content);
/** A BIT STRING with no unused bits. */
export const derBitString = (content: Buffer) => derTlv(0x03, Buffer.concat([Buffer.from([0]), content]));
/** [n] EXPLICIT, constructed context-specific tag. */
export const derExplicit = (n: number, content: Buffer) => derTlv(0xa0 | n, content);
/** [n] IMPLICIT, primitive context-specific tag. */
export const derImplicit = (n: number, content: Buffer) => derTlv(0x80 | n, content);
export const derBoolean = (value: boolean) => Buffer.from([0x01, 0x01, value ? 0xff : 0x00]);

/** A non-negative INTEGER from big-endian magnitude bytes (minimal, with a 0 pad when the top bit is set). */
export function derUnsignedInteger(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  let bytes = magnitude.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if ((bytes[0] as number) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return derTlv(0x02, bytes);
}

export const derSmallInteger = (value: number) => derUnsignedInteger(Buffer.from([value & 0xff]));

/** OBJECT IDENTIFIER from dotted text. */
export function derOid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const [first = 0, second = 0, ...rest] = parts;
  const bytes: number[] = [first * 40 + second];
  for (const value of rest) {
    const chunk: number[] = [value & 0x7f];
    for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    bytes.push(...chunk);
  }
  return derTlv(0x06, Buffer.from(bytes));
}

/** RFC 5280 section 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function derTime(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, "");
  const year = date.getUTCFullYear();
  if (year < 2050 && year >= 1950) return derTlv(0x17, Buffer.from(`${digits.slice(2)}Z`, "latin1"));
  return derTlv(0x18, Buffer.from(`${digits}Z`, "latin1"));
}
