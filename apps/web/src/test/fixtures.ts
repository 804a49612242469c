/** Builders of API bodies for component tests: valid defaults, overridden per test. */
import type { MessageDetail, MessageSummary, SessionDetail, TranscriptEntry } from "@mailpen/shared";

let counter = 0;

/** Ids sort by arrival like the store's: a larger `n` is newer. */
export function toMessageId(n: number): string {
  return `m${String(n).padStart(8, "0")}`;
}

export function makeSummary(overrides: Partial<MessageSummary> = {}): MessageSummary {
  counter += 1;
  return {
    id: toMessageId(counter),
    sessionId: "s1",
    receivedAt: new Date(Date.now() - 60_000).toISOString(),
    from: { name: "Alice Sender", address: "alice@example.test" },
    to: [{ name: "", address: "bob@example.test" }],
    cc: [],
    envelope: {
      mailFrom: "alice@example.test",
      mailParams: {},
      rcptTo: [{ address: "bob@example.test", params: {} }],
      heloName: "client.example.test",
      authUser: null,
      tls: false,
      transport: "DATA",
    },
    subject: `Subject ${counter}`,
    snippet: "Hello there",
    size: 1234,
    attachmentCount: 0,
    hasHtml: true,
    hasText: true,
    read: false,
    tags: [],
    flags: [],
    date: null,
    messageIdHeader: "<x@example.test>",
    parseState: "parsed",
    ...overrides,
  };
}

export function makeDetail(overrides: Partial<MessageDetail> = {}): MessageDetail {
  return {
    ...makeSummary(),
    headers: [
      {
        name: "From",
        value: "Alice Sender <alice@example.test>",
        raw: "From: Alice Sender <alice@example.test>",
      },
      { name: "To", value: "bob@example.test", raw: "To: bob@example.test" },
      { name: "Subject", value: "Grüße", raw: "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=" },
    ],
    text: "Hello there\nSecond line",
    html: "<p>Hello there</p>",
    attachments: [],
    parseError: null,
    ...overrides,
  };
}

export function makeEntry(
  seq: number,
  dir: TranscriptEntry["dir"],
  text: string,
  extra: Partial<TranscriptEntry> = {},
) {
  return { seq, atMs: seq * 3, dir, text, ...extra } satisfies TranscriptEntry;
}

export function makeSession(overrides: Partial<SessionDetail> = {}): SessionDetail {
  return {
    id: "s1",
    startedAt: new Date(Date.now() - 120_000).toISOString(),
    endedAt: new Date(Date.now() - 119_000).toISOString(),
    remoteAddress: "127.0.0.1",
    remotePort: 50123,
    localAddress: "127.0.0.1",
    localPort: 1025,
    heloName: "client.example.test",
    tls: null,
    authMechanism: null,
    authUser: null,
    messageCount: 1,
    outcome: "quit",
    errorCount: 0,
    warnings: [],
    entryCount: 0,
    transcript: [],
    messageIds: [],
    ...overrides,
  };
}
