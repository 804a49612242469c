/** Narrow screens and the dark theme: one pane at a time, no sideways scrolling, a way back. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Page } from "playwright-core";
import { openHarness, waitForLive } from "./harness.ts";
import type { Harness } from "./harness.ts";

let h: Harness;
before(async () => {
  h = await openHarness({ viewport: { width: 390, height: 844 }, colorScheme: "dark" });
});
after(async () => {
  await h?.close();
});

async function assertNoSidewaysScroll(page: Page) {
  const [scrollWidth, clientWidth] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  assert.ok(scrollWidth <= clientWidth, `page is ${scrollWidth}px wide in a ${clientWidth}px viewport`);
}

test("on a phone in dark mode the inbox, a message and a session each fill the screen", async () => {
  await h.page.goto(`${h.base}/`);
  await waitForLive(h.page);
  await h.send({
    from: '"Grace Hopper" <grace@example.test>',
    to: "team@example.test",
    subject: "A rather long subject line that has to be truncated on a narrow phone screen",
    text: "Body text",
    html: "<p>Body <b>HTML</b></p>",
  });
  await h.send({ from: "ops@example.test", to: "team@example.test", subject: "Second", text: "x" });
  await h.page.locator(".message-row__subject", { hasText: "Second" }).waitFor();
  const background = await h.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(background, "rgb(255, 255, 255)", "the dark theme follows the system");
  await assertNoSidewaysScroll(h.page);
  await h.screenshot("phone-dark-inbox");

  await h.page.locator(".message-row__link", { hasText: "A rather long subject" }).click();
  await h.page.getByRole("heading", { name: /A rather long subject/ }).waitFor();
  assert.equal(
    await h.page.getByRole("list", { name: "Messages" }).isVisible(),
    false,
    "the list steps aside",
  );
  await h.page.frameLocator("iframe.html-tab__frame").getByText("HTML").waitFor();
  await assertNoSidewaysScroll(h.page);
  await h.screenshot("phone-dark-message");

  await h.page.getByRole("link", { name: "← Inbox" }).click();
  await h.page.getByRole("list", { name: "Messages" }).waitFor();

  await h.page.getByRole("link", { name: "Sessions" }).click();
  await h.page.locator(".sessions-table tbody tr").first().getByRole("link").click();
  await h.page.getByRole("list", { name: "SMTP transcript" }).waitFor();
  await assertNoSidewaysScroll(h.page);
  await h.screenshot("phone-dark-session");
  assert.deepEqual(h.consoleErrors, []);
});

test("focus order: skip link first, then navigation, then search", async () => {
  await h.page.goto(`${h.base}/`);
  await waitForLive(h.page);
  await h.page.getByRole("searchbox", { name: "Search messages" }).waitFor();
  await h.page.keyboard.press("Tab");
  assert.equal(await h.page.evaluate(() => document.activeElement?.textContent), "Skip to content");
  await h.page.keyboard.press("Tab");
  assert.equal(
    await h.page.evaluate(() => document.activeElement?.getAttribute("aria-label")),
    "Mailpen inbox",
  );
  await h.page.keyboard.press("Tab");
  assert.match((await h.page.evaluate(() => document.activeElement?.textContent)) ?? "", /^Inbox/);
  await h.page.keyboard.press("Tab");
  assert.equal(await h.page.evaluate(() => document.activeElement?.textContent), "Sessions");
  await h.page.keyboard.press("Tab");
  assert.equal(await h.page.evaluate(() => document.activeElement?.id), "inbox-search");
  assert.deepEqual(h.consoleErrors, []);
});
