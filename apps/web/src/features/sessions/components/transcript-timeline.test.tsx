import { act, render, screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";
import { App } from "../../../app/app.tsx";
import { FakeWebSocket, stubFetch, stubWebSocket } from "../../../test/fake-network.ts";
import { makeEntry, makeSession, makeSummary } from "../../../test/fixtures.ts";
import { TranscriptTimeline } from "./transcript-timeline.tsx";

const transcript = [
  makeEntry(1, "server", "220 mailpen ESMTP ready"),
  makeEntry(2, "client", "EHLO client.example.test"),
  makeEntry(3, "server", "250-mailpen\n250-AUTH PLAIN LOGIN\n250 SMTPUTF8"),
  makeEntry(4, "client", "AUTH PLAIN ****", { masked: true }),
  makeEntry(5, "server", "235 2.7.0 Authentication successful"),
  makeEntry(6, "client", "RCPT TO:<nobody@example.test>"),
  makeEntry(7, "server", "550 5.1.1 No such user"),
  makeEntry(8, "server", "354 End data with <CR><LF>.<CR><LF>"),
  makeEntry(9, "event", "message content received", {
    data: { bytes: 2048, lines: 40, bareLf: 1, bareCr: 0, eightBit: 0, longLines: 0, nul: 0 },
    messageId: "m1",
  }),
  makeEntry(10, "server", "451 4.3.0 Try again later"),
];

describe("TranscriptTimeline", () => {
  it("tells client and server apart with C:/S: markers and offsets, in order", () => {
    render(<TranscriptTimeline entries={transcript} />);
    const items = within(screen.getByRole("list", { name: "SMTP transcript" })).getAllByRole("listitem");
    expect(items).toHaveLength(10);
    expect(items[0]?.className).toContain("entry--server");
    expect(items[0]?.textContent).toMatch(/^\+3 msS:server220 mailpen ESMTP ready$/);
    expect(items[1]?.className).toContain("entry--client");
    expect(items[1]?.textContent).toContain("C:");
    expect(items[1]?.textContent).toContain("EHLO client.example.test");
  });

  it("colours reply codes by class, on every line of a multi-line reply", () => {
    render(<TranscriptTimeline entries={transcript} />);
    const classOf = (code: string) =>
      [...document.querySelectorAll(".reply-code")]
        .filter((el) => el.textContent === code)
        .map((el) => el.className);
    expect(classOf("220")).toEqual(["reply-code reply-code--2xx"]);
    expect(classOf("250")).toHaveLength(3);
    expect(classOf("354")).toEqual(["reply-code reply-code--3xx"]);
    expect(classOf("451")).toEqual(["reply-code reply-code--4xx"]);
    expect(classOf("550")).toEqual(["reply-code reply-code--5xx"]);
    // Client lines are never parsed as replies.
    expect(screen.getByText("RCPT TO:<nobody@example.test>").querySelector(".reply-code")).toBeNull();
  });

  it("marks masked secrets and summarises message content with a link to the message", () => {
    render(<TranscriptTimeline entries={transcript} />);
    const masked = screen.getByText("masked");
    expect(masked.closest("li")?.textContent).toContain("AUTH PLAIN ****");
    expect(screen.getByText(/2\.0 KB, 40 lines, 1 bare LF/)).toBeTruthy();
    expect(screen.getByRole("link", { name: "Open the message →" }).getAttribute("href")).toBe(
      "/messages/m1",
    );
  });
});

describe("the session view", () => {
  beforeEach(() => {
    stubWebSocket();
  });

  it("shows the session's facts and grows live from session.updated events", async () => {
    const session = makeSession({
      id: "s7",
      endedAt: null,
      outcome: null,
      transcript: transcript.slice(0, 2),
      authUser: "alice",
      authMechanism: "PLAIN",
    });
    stubFetch({ "GET /api/sessions/s7": () => session });
    window.history.replaceState(null, "", "/sessions/s7");
    render(<App />);

    expect(await screen.findByText("in progress", { selector: ".badge" })).toBeTruthy();
    expect(screen.getByText("alice (PLAIN)")).toBeTruthy();
    expect(screen.getAllByRole("listitem")).toHaveLength(2);
    expect(screen.getByRole("link", { name: "Download transcript" }).getAttribute("href")).toBe(
      "/api/sessions/s7/transcript",
    );

    const socket = FakeWebSocket.instances[0]!;
    act(() =>
      socket.push({ type: "hello", version: "t", stats: { total: 0, unread: 0, bytes: 0, sessions: 1 } }),
    );
    act(() =>
      socket.push({
        type: "session.updated",
        session: { ...session, entryCount: 4 },
        entries: transcript.slice(1, 4),
      }),
    );
    expect(
      within(screen.getByRole("list", { name: "SMTP transcript" })).getAllByRole("listitem"),
    ).toHaveLength(4);
    // Events for other sessions are ignored.
    act(() =>
      socket.push({ type: "session.updated", session: makeSession({ id: "other" }), entries: transcript }),
    );
    expect(
      within(screen.getByRole("list", { name: "SMTP transcript" })).getAllByRole("listitem"),
    ).toHaveLength(4);

    act(() => socket.push({ type: "message.created", message: makeSummary({ id: "m9", sessionId: "s7" }) }));
    expect(screen.getByRole("link", { name: "Message 1" }).getAttribute("href")).toBe("/messages/m9");
    act(() =>
      socket.push({
        type: "session.closed",
        session: { ...session, outcome: "quit", endedAt: new Date().toISOString() },
      }),
    );
    expect(screen.getByText("QUIT")).toBeTruthy();
  });
});

describe("the sessions list", () => {
  beforeEach(() => {
    stubWebSocket();
  });

  it("lists sessions with client, HELO, AUTH, count and outcome; failed ones stand out; new ones appear live", async () => {
    const ok = makeSession({ id: "a", heloName: "good.test", authUser: "bob" });
    const rejected = makeSession({
      id: "b",
      outcome: "rejected",
      heloName: "bad.test",
      warnings: ["bare LF in DATA"],
    });
    stubFetch({ "GET /api/sessions": () => ({ sessions: [rejected, ok], total: 2, nextCursor: null }) });
    window.history.replaceState(null, "", "/sessions");
    render(<App />);

    const badRow = (await screen.findByText("bad.test")).closest("tr")!;
    expect(badRow.className).toContain("row--failed");
    expect(within(badRow).getByText("rejected").className).toContain("badge--bad");
    expect(within(badRow).getByText("bare LF in DATA")).toBeTruthy();
    const goodRow = screen.getByText("good.test").closest("tr")!;
    expect(goodRow.className).not.toContain("row--failed");
    expect(within(goodRow).getByText("bob")).toBeTruthy();
    expect(within(goodRow).getByRole("link").getAttribute("href")).toBe("/sessions/a");

    const socket = FakeWebSocket.instances[0]!;
    act(() =>
      socket.push({
        type: "session.started",
        session: makeSession({ id: "c", heloName: "new.test", outcome: null }),
      }),
    );
    const rows = screen.getAllByRole("row");
    expect(within(rows[1]!).getByText("new.test")).toBeTruthy();
    expect(within(rows[1]!).getByText("in progress")).toBeTruthy();
  });
});
