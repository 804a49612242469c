import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createCramMd5Verifier,
  decodeSaslResponse,
  formatCramMd5Challenge,
  parseCramMd5Response,
  parsePlainResponse,
} from "./sasl.ts";

describe("SASL helpers", () => {
  it("decodes base64, '=' as empty (RFC 4954 section 4), and refuses anything else", () => {
    expect(decodeSaslResponse("dGVzdA==")?.toString()).toBe("test");
    expect(decodeSaslResponse("=")?.length).toBe(0);
    for (const bad of ["dGVzdA", "dGV zdA==", "!!!!", "dGVzdA===", "*"])
      expect(decodeSaslResponse(bad)).toBeNull();
  });

  it("parses PLAIN messages (RFC 4616 section 2)", () => {
    expect(parsePlainResponse(Buffer.from("admin\0alice\0pw"))).toEqual({
      authzid: "admin",
      username: "alice",
      password: "pw",
    });
    expect(parsePlainResponse(Buffer.from("\0bob\0"))).toEqual({
      authzid: "",
      username: "bob",
      password: "",
    });
    expect(parsePlainResponse(Buffer.from("alice\0pw"))).toBeNull();
    expect(parsePlainResponse(Buffer.from("\0\0pw"))).toBeNull();
    expect(parsePlainResponse(Buffer.from("a\0b\0c\0d"))).toBeNull();
  });

  it("verifies CRAM-MD5 with the RFC 2195 example", () => {
    const challenge = "<1896.697170952@postoffice.reston.mci.net>";
    const response = parseCramMd5Response(Buffer.from("tim b913a602c7eda7a495b4e6e7334d3890"));
    expect(response).toEqual({ username: "tim", digest: "b913a602c7eda7a495b4e6e7334d3890" });
    const verify = createCramMd5Verifier(challenge, response?.digest ?? "");
    expect(verify("tanstaaftanstaaf")).toBe(true);
    expect(verify("wrong")).toBe(false);
    expect(parseCramMd5Response(Buffer.from("tim nothex"))).toBeNull();
  });

  it("formats challenges as msg-ids", () => {
    const challenge = formatCramMd5Challenge("abc", 42, "mx.test");
    expect(challenge).toBe("<abc.42@mx.test>");
    const digest = createHmac("md5", "pw").update(challenge).digest("hex");
    expect(createCramMd5Verifier(challenge, digest)("pw")).toBe(true);
  });
});
