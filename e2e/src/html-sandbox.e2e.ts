/**
 * Hostile HTML: a <script> and an onerror handler that would set globals. Neither runs, in the default
 * preview (remote content blocked) nor with remote images loaded; the top window is untouched too.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Frame, Page } from "playwright-core";
import { openHarness, waitForLive } from "./harness.ts";
import type { Harness } from "./harness.ts";

let h: Harness;
before(async () => {
  h = await openHarness();
});
after(async () => {
  await h?.close();
});

const HOSTILE = `<html><body>
<h1>Totally harmless newsletter</h1>
<script>window.__pwned = 1; document.body.setAttribute("data-pwned", "script"); parent.__pwned = 1;</script>
<img src="x" onerror="window.__pwned2 = 1; document.body.setAttribute('data-pwned2', 'onerror'); parent.__pwned2 = 1;">
<img src="https://tracker.invalid/pixel.gif" alt="remote pixel">
<a href="https://example.invalid/" id="link">a link</a>
</body></html>`;

async function previewFrame(page: Page): Promise<Frame> {
  const handle = await page.locator("iframe.html-tab__frame").elementHandle();
  const frame = await handle?.contentFrame();
  if (!frame) throw new Error("no preview frame");
  await frame.waitForSelector("h1");
  return frame;
}

async function assertNothingRan(page: Page, frame: Frame) {
  // Give an onerror handler every chance to fire: the broken image has settled once it is complete.
  await frame
    .waitForFunction(() => [...document.images].every((image) => image.complete))
    .catch(() => undefined);
  const body = frame.locator("body");
  assert.equal(await body.getAttribute("data-pwned"), null, "the <script> did not run in the frame");
  assert.equal(await body.getAttribute("data-pwned2"), null, "the onerror handler did not run in the frame");
  const inFrame = await frame
    .evaluate(() => [typeof (window as never)["__pwned"], typeof (window as never)["__pwned2"]])
    .catch(
      // A frame with scripts disabled may refuse evaluation altogether: then nothing could run either.
      () => ["undefined", "undefined"],
    );
  assert.deepEqual(inFrame, ["undefined", "undefined"], "no globals were set in the frame");
  const top = await page.evaluate(() => [
    typeof (window as never)["__pwned"],
    typeof (window as never)["__pwned2"],
  ]);
  assert.deepEqual(top, ["undefined", "undefined"], "no globals were set in the top window");
}

test("neither a <script> nor an onerror handler in an HTML email runs", async () => {
  // Chromium reports the sandbox and the CSP doing their job as console errors; only those are allowed.
  h.expectConsoleError(/Blocked script execution in '(about:srcdoc|[^']*\/api\/messages\/[^']*\/html)'/);
  h.expectConsoleError(/Refused to (execute|load)|Content Security Policy/);
  h.expectConsoleError(/tracker\.invalid|ERR_NAME_NOT_RESOLVED|Failed to load resource/);

  await h.page.goto(`${h.base}/`);
  await waitForLive(h.page);
  await h.send({
    from: "evil@example.test",
    to: "bob@example.test",
    subject: "Hostile HTML",
    html: HOSTILE,
    text: "x",
  });
  await h.page.getByRole("listitem").filter({ hasText: "Hostile HTML" }).getByRole("link").click();
  await h.page.getByRole("heading", { name: "Hostile HTML" }).waitFor();

  const sandbox = await h.page.locator("iframe.html-tab__frame").getAttribute("sandbox");
  assert.ok(
    sandbox !== null && !/allow-scripts|allow-same-origin|allow-top-navigation/.test(sandbox),
    sandbox ?? "",
  );
  await assertNothingRan(h.page, await previewFrame(h.page));
  await h.page.getByText("1 blocked").waitFor();
  await h.screenshot("html-hostile");

  // With remote images allowed the frame loads the server's /html endpoint: still nothing runs.
  await h.page.getByRole("checkbox", { name: /Load remote images/ }).check();
  await h.page.waitForFunction(() => document.querySelector("iframe.html-tab__frame")?.hasAttribute("src"));
  await assertNothingRan(h.page, await previewFrame(h.page));
  await h.screenshot("html-hostile-remote");

  assert.deepEqual(h.consoleErrors, []);
});

test("inline cid: images show in the preview while remote images stay blocked", async () => {
  const png = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAHElEQVR4nGNkaPjPQApgIkn1qIZRDaMahpMGAB7rAiEkn/5HAAAAAElFTkSuQmCC",
    "base64",
  );
  await h.send({
    from: "news@example.test",
    to: "bob@example.test",
    subject: "Inline image",
    html: '<h1>Logo below</h1><img id="inline" src="cid:logo@mailpen.test"><img id="remote" src="https://tracker.invalid/p.gif">',
    attachments: [{ filename: "logo.png", content: png, contentType: "image/png", cid: "logo@mailpen.test" }],
  });
  await h.page.getByRole("listitem").filter({ hasText: "Inline image" }).getByRole("link").click();
  await h.page.getByRole("heading", { name: "Inline image" }).waitFor();
  const frame = await previewFrame(h.page);
  await frame.waitForFunction(() => {
    const image = document.getElementById("inline") as HTMLImageElement | null;
    return image?.complete && image.naturalWidth === 16;
  });
  const remoteWidth = await frame
    .locator("#remote")
    .evaluate((image: HTMLImageElement) => image.naturalWidth);
  assert.equal(remoteWidth, 0, "the remote image was not loaded");
  await h.screenshot("html-inline-image");
  assert.deepEqual(h.consoleErrors, []);
});
