import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";
import type { MessageDetail } from "@mailpen/shared";
import { App } from "../../../app/app.tsx";
import { stubFetch, stubWebSocket } from "../../../test/fake-network.ts";
import { makeDetail } from "../../../test/fixtures.ts";

const encoder = new TextEncoder();

function open(message: MessageDetail, tab?: string, raw = "Subject: hi\r\n\r\nbare\nline \r\n") {
  const calls = stubFetch({
    "GET /api/messages": () => ({ messages: [message], total: 1, unread: 1, nextCursor: null }),
    [`GET /api/messages/${message.id}`]: () => message,
    [`GET /api/messages/${message.id}/raw`]: () => encoder.encode(raw),
    [`GET /api/messages/${message.id}/html`]: () =>
      new Response(message.html ?? "", { headers: { "content-type": "text/html" } }),
    [`PATCH /api/messages/${message.id}`]: () => ({ ...message, read: true }),
  });
  window.history.replaceState(null, "", `/messages/${message.id}${tab ? `/${tab}` : ""}`);
  render(<App />);
  return calls;
}

function tab(name: string) {
  return screen.getByRole("tab", { name: new RegExp(`^${name}`) });
}

beforeEach(() => {
  stubWebSocket();
});

describe("the message view", () => {
  it("opens on the HTML tab in a sandbox that allows no scripts, and marks the message read", async () => {
    const message = makeDetail({
      subject: "Welcome",
      html: '<p>Hi</p><img src="https://tracker.example/p.gif">',
    });
    const calls = open(message);
    await screen.findByRole("heading", { name: "Welcome" });

    expect(tab("HTML").getAttribute("aria-selected")).toBe("true");
    const frame = await screen.findByTitle("HTML body of Welcome");
    const assertSandboxed = (element: HTMLElement) => {
      const sandbox = element.getAttribute("sandbox") ?? "";
      expect(element.hasAttribute("sandbox")).toBe(true);
      expect(sandbox).not.toContain("allow-scripts");
      expect(sandbox).not.toContain("allow-same-origin");
      expect(sandbox).not.toContain("allow-top-navigation");
    };
    assertSandboxed(frame);
    // Remote images are blocked by default: the body goes in through srcdoc behind our own CSP.
    expect(frame.hasAttribute("src")).toBe(false);
    expect(frame.getAttribute("srcdoc")).toMatch(
      /^<meta http-equiv="Content-Security-Policy"[^>]*img-src http:\/\/localhost(:\d+)? data:/,
    );
    expect(frame.getAttribute("srcdoc")).toContain("tracker.example");
    expect(screen.getByText("1 blocked")).toBeTruthy();

    fireEvent.click(screen.getByRole("checkbox", { name: /Load remote images/ }));
    const remoteFrame = screen.getByTitle("HTML body of Welcome");
    assertSandboxed(remoteFrame);
    expect(remoteFrame.getAttribute("src")).toBe(`/api/messages/${message.id}/html`);
    fireEvent.click(screen.getByRole("button", { name: "Phone" }));
    expect((screen.getByTitle("HTML body of Welcome") as HTMLIFrameElement).style.width).toBe("375px");

    await waitFor(() => expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ read: true }));
  });

  it("shows the text body as text, never as markup", async () => {
    open(makeDetail({ text: "<b>not bold</b>\nline two" }), "text");
    const body = await screen.findByText(/not bold/);
    expect(body.textContent).toBe("<b>not bold</b>\nline two");
    expect(body.querySelector("b")).toBeNull();
  });

  it("lists the header fields in original order, decoded, with a raw toggle", async () => {
    const detail = makeDetail();
    detail.headers.push({ name: "X-Value-Only", value: "raw only", raw: "raw only" });
    open(detail, "headers");
    const table = await screen.findByRole("table");
    const names = within(table)
      .getAllByRole("rowheader")
      .map((cell) => cell.textContent);
    expect(names).toEqual(["From", "To", "Subject", "X-Value-Only"]);
    expect(within(table).getByText("Grüße")).toBeTruthy();

    fireEvent.click(screen.getByRole("checkbox", { name: "Show as received (undecoded)" }));
    const raw = screen.getByText(/=\?UTF-8\?Q\?Gr=C3=BC=C3=9Fe\?=/);
    // Whether the store keeps the whole field or only its value as `raw`, each line reads "Name: value".
    expect(raw.textContent).toBe(
      "From: Alice Sender <alice@example.test>\nTo: bob@example.test\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\nX-Value-Only: raw only",
    );
  });

  it("shows the raw bytes with line numbers, and marks a bare LF and a trailing space with invisibles on", async () => {
    const message = makeDetail();
    open(message, "raw");
    const region = await screen.findByRole("region", { name: "Raw message source" });
    await waitFor(() => expect(region.querySelectorAll(".raw-line")).toHaveLength(4));
    expect(region.querySelector(".inv--bare-lf")).toBeNull();
    expect([...region.querySelectorAll(".raw-line__number")].map((n) => n.textContent)).toEqual([
      "1",
      "2",
      "3",
      "4",
    ]);

    fireEvent.click(screen.getByRole("checkbox", { name: /Show invisibles/ }));
    const lines = [...region.querySelectorAll(".raw-line__text")];
    expect(lines[2]?.textContent).toBe("bare␊");
    expect(lines[2]?.querySelector(".inv--bare-lf")).not.toBeNull();
    expect(lines[3]?.querySelector(".inv--trailing-space")?.textContent).toBe("·");
    expect(lines[0]?.querySelector(".inv--crlf-cr")).not.toBeNull();
    expect(screen.getByText("1 bare LF")).toBeTruthy();
    const download = screen.getAllByRole("link", { name: "Download .eml" })[0] as HTMLAnchorElement;
    expect(download.getAttribute("href")).toBe(`/api/messages/${message.id}/raw?download=1`);
  });

  it("lists attachments with type, size, download links and image thumbnails", async () => {
    const message = makeDetail({
      attachments: [
        {
          partId: "2",
          filename: "photo.png",
          contentType: "image/png",
          disposition: "attachment",
          size: 2048,
          contentId: null,
          checksum: "x",
        },
        {
          partId: "3",
          filename: "report.pdf",
          contentType: "application/pdf",
          disposition: "attachment",
          size: 100,
          contentId: null,
          checksum: "y",
        },
      ],
    });
    open(message, "attachments");
    const link = await screen.findByRole("link", { name: "Download photo.png" });
    expect(link.getAttribute("href")).toBe(`/api/messages/${message.id}/parts/2`);
    expect(screen.getByText("image/png · 2.0 KB")).toBeTruthy();
    expect(document.querySelectorAll(".attachment__thumb img")).toHaveLength(1);
    expect(tab("Attachments").textContent).toContain("2");
  });

  it("shows every RCPT TO of the envelope, marks Bcc recipients, and links to the session", async () => {
    const message = makeDetail({
      sessionId: "s42",
      envelope: {
        mailFrom: "bounce@example.test",
        mailParams: { BODY: "8BITMIME", SMTPUTF8: true },
        rcptTo: [
          { address: "bob@example.test", params: {} },
          { address: "hidden@example.test", params: { NOTIFY: "NEVER" } },
        ],
        heloName: "client.example.test",
        authUser: "alice",
        tls: true,
        transport: "DATA",
      },
    });
    open(message, "envelope");
    expect(await screen.findByText("<hidden@example.test>")).toBeTruthy();
    expect(screen.getByText(/BODY=8BITMIME SMTPUTF8/)).toBeTruthy();
    expect(screen.getByText(/NOTIFY=NEVER/)).toBeTruthy();
    const bcc = screen.getAllByText("Bcc");
    expect(bcc).toHaveLength(1);
    expect(bcc[0]?.closest("li")?.textContent).toContain("hidden@example.test");
    expect(screen.getByText("alice")).toBeTruthy();
    const session = screen.getByRole("link", { name: "View the SMTP session transcript" });
    expect(session.getAttribute("href")).toBe("/sessions/s42");
  });

  it("opens a message that failed to parse, with its error, on the Raw tab", async () => {
    open(
      makeDetail({
        subject: "",
        parseState: "failed",
        parseError: "Unexpected end of multipart",
        html: null,
        text: null,
        headers: [],
        flags: ["parse-error"],
      }),
    );
    expect(await screen.findByText(/Unexpected end of multipart/)).toBeTruthy();
    expect(tab("Raw").getAttribute("aria-selected")).toBe("true");
    expect(await screen.findByRole("region", { name: "Raw message source" })).toBeTruthy();
  });

  it("switches tabs by URL, so a tab can be linked and reloaded", async () => {
    const message = makeDetail();
    open(message);
    await screen.findByRole("heading", { name: message.subject });
    fireEvent.click(tab("Headers"));
    expect(window.location.pathname).toBe(`/messages/${message.id}/headers`);
    expect(tab("Headers").getAttribute("aria-selected")).toBe("true");
    fireEvent.keyDown(tab("Headers"), { key: "ArrowRight" });
    expect(window.location.pathname).toBe(`/messages/${message.id}/raw`);
  });
});
