import { X509Certificate, createPrivateKey } from "node:crypto";
import type net from "node:net";
import tls from "node:tls";
import { describe, expect, it } from "vitest";
import { derOid, derTime, derTlv, derUnsignedInteger } from "./der.ts";
import { createSelfSignedCertificate } from "./self-signed-certificate.ts";

describe("DER encoder (X.690)", () => {
  it("encodes short and long lengths", () => {
    expect(derTlv(0x04, Buffer.alloc(3))).toEqual(Buffer.from([0x04, 3, 0, 0, 0]));
    expect(derTlv(0x04, Buffer.alloc(200)).subarray(0, 3)).toEqual(Buffer.from([0x04, 0x81, 200]));
    expect(derTlv(0x04, Buffer.alloc(300)).subarray(0, 4)).toEqual(Buffer.from([0x04, 0x82, 0x01, 0x2c]));
  });

  it("encodes OIDs, integers and times", () => {
    expect(derOid("1.2.840.10045.4.3.2").toString("hex")).toBe("06082a8648ce3d040302");
    expect(derUnsignedInteger(Buffer.from([0x80])).toString("hex")).toBe("02020080");
    expect(derUnsignedInteger(Buffer.from([0, 0, 5])).toString("hex")).toBe("020105");
    expect(derTime(new Date("2026-01-02T03:04:05Z")).toString("latin1").slice(2)).toBe("260102030405Z");
    expect(derTime(new Date("2051-01-02T03:04:05Z")).toString("latin1").slice(2)).toBe("20510102030405Z");
  });
});

describe("createSelfSignedCertificate", () => {
  it("makes a certificate Node can parse and verify with its own key", () => {
    const now = new Date("2026-06-01T00:00:00Z");
    const { cert, key } = createSelfSignedCertificate({ hostname: "mx.test", now });
    const x509 = new X509Certificate(cert);
    expect(x509.subject).toBe("CN=mx.test");
    expect(x509.issuer).toBe("CN=mx.test");
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(x509.subjectAltName).toContain("DNS:localhost");
    expect(x509.subjectAltName).toContain("IP Address:127.0.0.1");
    expect(x509.checkHost("mx.test")).toBe("mx.test");
    expect(new Date(x509.validFrom).getTime()).toBeLessThan(now.getTime());
    expect(new Date(x509.validTo).getTime()).toBeGreaterThan(now.getTime());
  });

  it("works for a real TLS handshake", async () => {
    const { cert, key } = createSelfSignedCertificate({ hostname: "localhost" });
    const server = tls.createServer({ cert, key }, (socket) => socket.end("hello"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const text = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ port, host: "127.0.0.1", servername: "localhost", ca: cert }, () => {
          let data = "";
          socket.on("data", (d: Buffer) => (data += d.toString()));
          socket.on("end", () => resolve(data));
        });
        socket.on("error", reject);
      });
      expect(text).toBe("hello");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
