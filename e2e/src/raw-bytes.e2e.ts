/** The Raw tab shows the exact bytes: a bare LF, a trailing space and 8-bit octets are made visible. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openHarness, waitForLive } from "./harness.ts";
import type { Harness } from "./harness.ts";

let h: Harness;
before(async () => {
  h = await openHarness();
});
after(async () => {
  await h?.close();
});

test("the Raw tab marks a bare LF, a trailing space and 8-bit octets with invisibles on", async () => {
  await h.page.goto(`${h.base}/`);
  await waitForLive(h.page);
  // nodemailer turns every bare LF into CRLF, so these bytes go over a raw socket.
  const bytes = Buffer.concat([
    Buffer.from(
      "From: raw@example.test\r\nTo: bob@example.test\r\nSubject: Bare LF inside\r\n\r\nline with CRLF\r\nline with bare LF\nline with trailing space \r\ncaf",
      "latin1",
    ),
    Buffer.from([0xc3, 0xa9]),
    Buffer.from("\tend\r\n", "latin1"),
  ]);
  await h.sendRaw("raw@example.test", ["bob@example.test"], bytes);
  await h.page.getByRole("listitem").filter({ hasText: "Bare LF inside" }).getByRole("link").click();
  await h.page.getByRole("heading", { name: "Bare LF inside" }).waitFor();
  await h.page.getByRole("tab", { name: "Raw" }).click();
  const region = h.page.getByRole("region", { name: "Raw message source" });
  await region.getByText("line with bare LF").waitFor();

  // Off: plain text, no marks.
  assert.equal(await region.locator(".inv").count(), 0);
  await h.page.getByRole("checkbox", { name: /Show invisibles/ }).check();
  const bareLine = region.locator(".raw-line").filter({ hasText: "line with bare LF" });
  assert.equal(await bareLine.locator(".raw-line__text").textContent(), "line with bare LF␊");
  assert.equal(await bareLine.locator(".inv--bare-lf").count(), 1);
  const crlfLine = region.locator(".raw-line").filter({ hasText: "line with CRLF" });
  assert.equal(await crlfLine.locator(".raw-line__text").textContent(), "line with CRLF␍␊");
  assert.equal(await crlfLine.locator(".inv--bare-lf").count(), 0);
  const trailing = region.locator(".raw-line").filter({ hasText: "line with trailing space" });
  assert.equal(await trailing.locator(".inv--trailing-space").textContent(), "·");
  const eightBit = region.locator(".raw-line").filter({ hasText: "caf" });
  assert.equal(await eightBit.locator(".inv--bytes").textContent(), "C3 A9");
  assert.equal(await eightBit.locator(".inv--tab").textContent(), "→");
  // Line numbers count every line, the bare-LF ones included.
  assert.equal(await bareLine.locator(".raw-line__number").textContent(), "6");
  await h.page.getByText("1 bare LF").waitFor();
  await h.screenshot("raw-invisibles");

  // The bytes served are the bytes sent.
  const id = new URL(h.page.url()).pathname.split("/")[2];
  const raw = Buffer.from(await (await fetch(`${h.base}/api/messages/${id}/raw`)).arrayBuffer());
  assert.ok(raw.equals(bytes), "raw bytes are exact");
  assert.deepEqual(h.consoleErrors, []);
});
