import { describe, expect, it } from "vitest";
import { parseMessageContent } from "./message-parse.ts";
import { parseContent } from "./parse-content.ts";
import { parseSimpleMessage } from "./simple-message-parse.ts";

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join("\r\n"), "latin1");

describe("parseContent", () => {
  it("gives the fast parse's result for a message it takes, at any size", async () => {
    const raw = Buffer.concat([
      crlf(["Subject: big", "From: A <a@x.test>", "Content-Type: text/plain; charset=utf-8", "", ""]),
      Buffer.alloc(6 * 1024 * 1024, "caf\u00c3\u00a9 text\r\n", "latin1"),
    ]);
    const fast = parseSimpleMessage(raw);
    expect(fast).not.toBeNull();
    const result = await parseContent(raw);
    expect(result.ok).toBe(true);
    if (!result.ok || fast === null) return;
    expect(result.content.text?.equals(fast.text ?? Buffer.alloc(0))).toBe(true);
    expect(result.content.text?.subarray(0, 11).toString("utf8")).toBe("caf\u00e9 text\n");
    expect({ ...result.content, text: null }).toEqual({ ...fast, text: null });
  });

  it("gives mailparser's result for a message the fast parse declines", async () => {
    const raw = crlf([
      "Subject: =?utf-8?B?w6lsw6k=?=",
      'Content-Type: multipart/mixed; boundary="b"',
      "",
      "--b",
      "Content-Type: text/plain",
      "",
      "body",
      "--b",
      "Content-Type: application/octet-stream",
      "Content-Disposition: attachment; filename=a.bin",
      "Content-Transfer-Encoding: base64",
      "",
      "AAEC/w==",
      "--b--",
      "",
    ]);
    expect(parseSimpleMessage(raw)).toBeNull();
    const result = await parseContent(raw);
    expect(result).toEqual(await parseMessageContent(raw));
    expect(result.ok && result.content.subject).toBe("\u00e9l\u00e9");
    expect(result.ok && result.content.parts.map((p) => p.filename)).toEqual(["a.bin"]);
  });
});
