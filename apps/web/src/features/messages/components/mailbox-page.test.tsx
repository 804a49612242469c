import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";
import type { MessageListResponse, MessageSummary } from "@mailpen/shared";
import { App } from "../../../app/app.tsx";
import { FakeWebSocket, stubFetch, stubWebSocket } from "../../../test/fake-network.ts";
import { makeDetail, makeSummary } from "../../../test/fixtures.ts";

const stats = { total: 0, unread: 0, bytes: 0, sessions: 0 };

function page(messages: MessageSummary[], nextCursor: string | null = null): MessageListResponse {
  return { messages, total: messages.length, unread: messages.filter((m) => !m.read).length, nextCursor };
}

function socket(): FakeWebSocket {
  const last = FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
  if (!last) throw new Error("the app opened no websocket");
  return last;
}

function rows() {
  return within(screen.getByRole("list", { name: "Messages" })).queryAllByRole("listitem");
}

beforeEach(() => {
  window.history.replaceState(null, "", "/");
  stubWebSocket();
});

describe("the inbox", () => {
  it("lists messages newest first with sender, recipients, subject, size, unread and attachment marks", async () => {
    const unread = makeSummary({ subject: "Unread one", attachmentCount: 2, flags: ["bare-lf"] });
    const read = makeSummary({ subject: "Read one", read: true, from: null, size: 2048 });
    stubFetch({ "GET /api/messages": () => page([unread, read]) });
    render(<App />);

    await screen.findByText("Unread one");
    const [first, second] = rows();
    expect(first).toHaveProperty("className", expect.stringContaining("message-row--unread"));
    expect(second?.className).not.toContain("message-row--unread");
    expect(within(first!).getByText("Alice Sender")).toBeTruthy();
    expect(within(first!).getByText("bob@example.test")).toBeTruthy();
    expect(within(first!).getByText("2 attachments")).toBeTruthy();
    expect(within(first!).getByText("bare LF")).toBeTruthy();
    // Without a From header the envelope sender stands in.
    expect(within(second!).getByText("alice@example.test")).toBeTruthy();
    expect(within(second!).getByText("2.0 KB")).toBeTruthy();
  });

  it("renders only the rows in view of a long list, and asks for the next page near the end", async () => {
    const many = Array.from({ length: 100 }, () => makeSummary()).reverse();
    const calls = stubFetch({
      "GET /api/messages": ({ url }) =>
        url.searchParams.get("cursor") ? page([makeSummary({ subject: "Older page" })]) : page(many, "c1"),
    });
    render(<App />);
    await screen.findByText(many[0]!.subject);
    expect(rows().length).toBeLessThan(30);

    const list = document.querySelector(".message-list") as HTMLElement;
    Object.defineProperty(list, "clientHeight", { value: 800, configurable: true });
    list.scrollTop = 100 * 78;
    fireEvent.scroll(list);
    await waitFor(() => expect(calls.some((c) => c.url.searchParams.get("cursor") === "c1")).toBe(true));
  });

  it("inserts a message that arrives live at the top, highlighted, without a reload", async () => {
    const old = makeSummary({ subject: "Old" });
    const calls = stubFetch({ "GET /api/messages": () => page([old]) });
    render(<App />);
    await screen.findByText("Old");
    act(() => socket().push({ type: "hello", version: "test", stats }));
    expect(await screen.findByText("Live")).toBeTruthy();

    const arrived = makeSummary({ subject: "Just arrived" });
    act(() => socket().push({ type: "message.created", message: arrived }));
    const [first] = rows();
    expect(within(first!).getByText("Just arrived")).toBeTruthy();
    expect(first!.className).toContain("message-row--fresh");
    expect(calls.filter((c) => c.url.pathname === "/api/messages")).toHaveLength(1);
  });

  it("shows reconnecting when the socket drops and catches up by refetching after the new hello", async () => {
    const calls = stubFetch({ "GET /api/messages": () => page([makeSummary({ subject: "Kept" })]) });
    render(<App />);
    await screen.findByText("Kept");
    act(() => socket().push({ type: "hello", version: "test", stats }));
    act(() => socket().drop());
    expect(await screen.findByText("Reconnecting")).toBeTruthy();

    await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(2), { timeout: 2000 });
    act(() => socket().push({ type: "hello", version: "test", stats }));
    expect(await screen.findByText("Live")).toBeTruthy();
    await waitFor(() => expect(calls.filter((c) => c.url.pathname === "/api/messages")).toHaveLength(2));
  });

  it("moves with j/k, opens with Enter, and deletes with Delete", async () => {
    const a = makeSummary({ subject: "Bottom" });
    const b = makeSummary({ subject: "Top" });
    const calls = stubFetch({
      "GET /api/messages": () => page([b, a]),
      [`GET /api/messages/${b.id}`]: () => makeDetail({ ...b }),
      [`GET /api/messages/${a.id}`]: () => makeDetail({ ...a }),
      [`PATCH /api/messages/${a.id}`]: () => ({ ...a, read: true }),
      [`PATCH /api/messages/${b.id}`]: () => ({ ...b, read: true }),
      [`DELETE /api/messages/${a.id}`]: () => undefined,
    });
    render(<App />);
    await screen.findByText("Top");

    fireEvent.keyDown(document.body, { key: "j" });
    fireEvent.keyDown(document.body, { key: "j" });
    fireEvent.keyDown(document.body, { key: "k" });
    fireEvent.keyDown(document.body, { key: "ArrowDown" });
    expect(rows()[1]!.className).toContain("message-row--cursor");
    fireEvent.keyDown(document.body, { key: "Enter" });
    expect(window.location.pathname).toBe(`/messages/${a.id}`);
    expect(await screen.findByRole("heading", { name: "Bottom" })).toBeTruthy();

    fireEvent.keyDown(document.body, { key: "Delete" });
    await waitFor(() =>
      expect(calls.some((c) => c.method === "DELETE" && c.url.pathname.endsWith(a.id))).toBe(true),
    );
    await waitFor(() => expect(screen.queryByRole("heading", { name: "Bottom" })).toBeNull());
    // The view moves on to the remaining message.
    expect(window.location.pathname).toBe(`/messages/${b.id}`);
  });

  it("focuses the search box on / and sends the query with the quick filters in the store's syntax", async () => {
    const calls = stubFetch({ "GET /api/messages": () => page([makeSummary()]) });
    render(<App />);
    await screen.findAllByRole("listitem");
    fireEvent.keyDown(document.body, { key: "/" });
    const search = screen.getByRole("searchbox", { name: "Search messages" });
    expect(document.activeElement).toBe(search);

    fireEvent.change(search, { target: { value: "from:alice" } });
    fireEvent.click(screen.getByRole("button", { name: "Unread" }));
    fireEvent.click(screen.getByRole("button", { name: "Attachments" }));
    await waitFor(
      () =>
        expect(calls.map((c) => c.url.searchParams.get("query"))).toContain(
          "from:alice is:unread has:attachment",
        ),
      { timeout: 2000 },
    );
  });

  it("marks selected messages read and deletes a selection", async () => {
    const a = makeSummary({ subject: "First" });
    const b = makeSummary({ subject: "Second" });
    const calls = stubFetch({
      "GET /api/messages": () => page([b, a]),
      [`PATCH /api/messages/${a.id}`]: () => ({ ...a, read: true }),
      [`PATCH /api/messages/${b.id}`]: () => ({ ...b, read: true }),
      [`DELETE /api/messages/${a.id}`]: () => undefined,
    });
    render(<App />);
    await screen.findByText("First");

    fireEvent.click(screen.getByRole("checkbox", { name: "Select all loaded messages" }));
    fireEvent.click(screen.getByRole("button", { name: "Mark read" }));
    await waitFor(() => expect(calls.filter((c) => c.method === "PATCH")).toHaveLength(2));
    expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ read: true });
    await waitFor(() => expect(rows().every((row) => !row.className.includes("unread"))).toBe(true));

    fireEvent.click(screen.getByRole("checkbox", { name: "Select message First" }));
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.queryByText("First")).toBeNull());
    expect(screen.getByText("Second")).toBeTruthy();
  });

  it("clears all only after confirmation", async () => {
    const calls = stubFetch({
      "GET /api/messages": () => page([makeSummary({ subject: "Doomed" })]),
      "DELETE /api/messages": () => undefined,
    });
    render(<App />);
    await screen.findByText("Doomed");

    fireEvent.click(screen.getByRole("button", { name: "Clear all" }));
    const dialog = screen.getByRole("alertdialog", { name: "Delete all messages?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);

    fireEvent.click(screen.getByRole("button", { name: "Clear all" }));
    fireEvent.click(screen.getByRole("button", { name: "Delete all" }));
    await waitFor(() => expect(screen.queryByText("Doomed")).toBeNull());
    expect(calls.filter((c) => c.method === "DELETE").map((c) => c.url.pathname)).toEqual(["/api/messages"]);
    expect(await screen.findByText("No messages yet")).toBeTruthy();
  });
});
