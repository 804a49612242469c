import { describe, expect, it } from "vitest";
import { formatReply, REPLY_CODES, replies, wireToText } from "./replies.ts";

describe("replies (RFC 5321 section 4.2, RFC 2034)", () => {
  it("every 2xx/4xx/5xx row has an enhanced code of the same class, except the greeting and HELO/EHLO", () => {
    for (const [name, [code, enhanced]] of Object.entries(REPLY_CODES)) {
      if (code === 334 || code === 354 || name === "greeting" || name === "helo" || name === "ehlo") {
        expect(enhanced, name).toBeNull();
        continue;
      }
      expect(enhanced, name).toMatch(new RegExp(`^${String(code)[0]}\\.\\d{1,3}\\.\\d{1,3}$`));
    }
  });

  it("formats multi-line replies with code- continuations and one CRLF per line", () => {
    const reply = replies.ehlo("mx", "c", ["PIPELINING", "8BITMIME"]);
    expect(formatReply(reply)).toBe("250-mx Hello c\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
    expect(wireToText(formatReply(reply))).toBe("250-mx Hello c\n250-PIPELINING\n250 8BITMIME");
    expect(wireToText(formatReply(replies.ok()))).toBe("250 2.0.0 OK");
    expect(formatReply(replies.ok())).toBe("250 2.0.0 OK\r\n");
    expect(formatReply(replies.authChallenge(""))).toBe("334 \r\n");
  });
});
