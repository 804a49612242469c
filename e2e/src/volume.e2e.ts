/**
 * A large inbox: the list renders only the rows in view, pages in older messages by cursor as it is
 * scrolled, and a message deep in the list opens.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { openHarness, waitForLive } from "./harness.ts";
import type { Harness } from "./harness.ts";

const COUNT = 1500;

let h: Harness;
before(async () => {
  h = await openHarness();
});
after(async () => {
  await h?.close();
});

function toRaw(n: number): Buffer {
  const label = String(n).padStart(4, "0");
  return Buffer.from(
    `From: Sender ${label} <s${label}@example.test>\r\nTo: r@example.test\r\nSubject: Volume ${label}\r\n` +
      `Message-ID: <v${label}@example.test>\r\n\r\nBody of message ${label}\r\n`,
  );
}

test(`an inbox of ${COUNT} messages stays light and pages in by cursor`, async () => {
  // Straight into the store, oldest first (ids are time-ordered), before the page opens.
  for (let start = 0; start < COUNT; start += 250) {
    const batch = [];
    for (let n = start; n < Math.min(COUNT, start + 250); n++) {
      batch.push(
        h.mailpen.store.addMessage({
          sessionId: null,
          receivedAt: new Date(Date.now() - (COUNT - n) * 1000),
          envelope: {
            mailFrom: "s@example.test",
            mailParams: {},
            rcptTo: [{ address: "r@example.test", params: {} }],
            heloName: null,
            authUser: null,
            tls: false,
            transport: "DATA",
          },
          raw: toRaw(n),
        }),
      );
    }
    await Promise.all(batch);
  }

  await h.page.goto(`${h.base}/`);
  await waitForLive(h.page);
  const list = h.page.getByRole("list", { name: "Messages" });
  await list.getByText(`Volume ${String(COUNT - 1).padStart(4, "0")}`).waitFor();
  await h.page
    .locator(".inbox-toolbar__count", { hasText: `${COUNT.toLocaleString("en-US")} messages` })
    .waitFor();
  const rendered = await list.getByRole("listitem").count();
  assert.ok(rendered < 40, `only the rows in view are in the DOM (${rendered})`);

  // Scroll to the end until the oldest message has been paged in.
  const oldest = list.getByText("Volume 0000");
  for (let i = 0; i < 60 && (await oldest.count()) === 0; i++) {
    await h.page.locator(".message-list").evaluate((element) => {
      element.scrollTop = element.scrollHeight;
    });
    await h.page.waitForTimeout(150);
  }
  await oldest.waitFor();
  assert.ok((await list.getByRole("listitem").count()) < 40, "still only the rows in view");
  await h.screenshot("volume-bottom");

  await list.getByRole("link").filter({ hasText: "Volume 0000" }).click();
  await h.page.getByRole("heading", { name: "Volume 0000" }).waitFor();
  await h.page.getByRole("tabpanel").getByText("Body of message 0000").waitFor();
  assert.deepEqual(h.consoleErrors, []);
});
