/**
 * A self-signed X.509 v3 certificate for STARTTLS when `options.tls === "self-signed"`, built with our
 * own DER encoder (RFC 5280 section 4.1) and signed with an ECDSA P-256 key (ecdsa-with-SHA256).
 * Subject and issuer are CN=<hostname>; subjectAltName lists the hostname, localhost and 127.0.0.1 / ::1.
 * CPU only (key generation and signing), no I/O.
 */
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { isIP } from "node:net";
import {
  derBitString,
  derBoolean,
  derExplicit,
  derImplicit,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  derSmallInteger,
  derTime,
  derUnsignedInteger,
  derUtf8String,
} from "./der.ts";

const OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2";
const OID_COMMON_NAME = "2.5.4.3";
const OID_SUBJECT_ALT_NAME = "2.5.29.17";
const OID_BASIC_CONSTRAINTS = "2.5.29.19";

/** PEM certificate and PKCS#8 key. */
export interface PemCertificate {
  cert: string;
  key: string;
}

/** Generate a fresh key and a certificate valid from one day ago for `days` days (default 825). */
export function createSelfSignedCertificate(
  options: { hostname?: string; days?: number; now?: Date } = {},
): PemCertificate {
  const hostname = options.hostname ?? "mailpen";
  const now = options.now ?? new Date();
  const days = options.days ?? 825;
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });

  const algorithm = derSequence(derOid(OID_ECDSA_SHA256));
  const name = derSequence(derSet(derSequence(derOid(OID_COMMON_NAME), derUtf8String(hostname))));
  const notBefore = new Date(now.getTime() - 86_400_000);
  const notAfter = new Date(now.getTime() + days * 86_400_000);

  const altNames = new Set([hostname, "localhost", "127.0.0.1", "::1"]);
  const generalNames = [...altNames].map((entry) => {
    if (isIP(entry) === 4) return derImplicit(7, Buffer.from(entry.split(".").map(Number)));
    if (isIP(entry) === 6) return derImplicit(7, ipv6Bytes(entry));
    return derImplicit(2, Buffer.from(entry, "latin1"));
  });
  const extensions = derExplicit(
    3,
    derSequence(
      derSequence(derOid(OID_BASIC_CONSTRAINTS), derBoolean(true), derOctetString(derSequence())),
      derSequence(derOid(OID_SUBJECT_ALT_NAME), derOctetString(derSequence(...generalNames))),
    ),
  );

  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  const tbs = derSequence(
    derExplicit(0, derSmallInteger(2)),
    derUnsignedInteger(serial),
    algorithm,
    name,
    derSequence(derTime(notBefore), derTime(notAfter)),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    extensions,
  );
  const signature = sign("sha256", tbs, { key: privateKey, dsaEncoding: "der" });
  const certificate = derSequence(tbs, algorithm, derBitString(signature));

  const base64 = certificate.toString("base64").replace(/.{64}/g, "$&\n");
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${base64.replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

function ipv6Bytes(address: string): Buffer {
  const [head = "", tail = ""] = address.split("::");
  const headParts = head === "" ? [] : head.split(":");
  const tailParts = address.includes("::") ? (tail === "" ? [] : tail.split(":")) : [];
  const fill = 8 - headParts.length - tailParts.length;
  const groups = [...headParts, ...Array<string>(Math.max(0, fill)).fill("0"), ...tailParts];
  const out = Buffer.alloc(16);
  groups.forEach((group, i) => out.writeUInt16BE(parseInt(group, 16), i * 2));
  return out;
}
