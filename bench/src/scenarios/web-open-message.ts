/**
 * Web: open a message in a large inbox (issue 6, "Opening a message in an inbox of 100,000 takes
 * under 100 ms after the data arrives"). Fills a SQLite file through the store as the stored-volume
 * scenario does, starts Mailpen on it the same way, loads the inbox in Debian's headless Chromium
 * (playwright-core), then clicks N rows of the list one after the other.
 *
 * Timing is taken inside the page, on one clock: from the resource timing `responseEnd` of that
 * message's GET /api/messages/:id (the data has arrived) to the animation frame after the message
 * view's subject heading shows that row's subject (seen by a MutationObserver). Each row is opened
 * once, so the request is never answered from the web app's cache.
 *
 * Without /usr/bin/chromium (or CHROMIUM_PATH) the scenario is skipped, never a crash.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { findFreePort, type RunningServer } from "../servers/child-process.ts";
import { startMailpenProcess } from "../servers/mailpen-full.ts";
import { summarizeLatencies, type LatencySummary } from "../stats.ts";
import { waitForHealth } from "../http-client.ts";
import { fillStore } from "./store-ingest.ts";

export interface WebOpenResult {
  count: number;
  samples: number;
  skipped?: string;
  error?: string;
  /** responseEnd of GET /api/messages/:id to the frame after the subject heading shows it. */
  afterData: LatencySummary | null;
  /** The same, to the DOM mutation that put the subject in (before the frame). */
  afterDataToDom: LatencySummary | null;
  /** Click (in page) to the frame after the subject shows: request + render, as a user sees it. */
  clickToView: LatencySummary | null;
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

interface OpenTiming {
  dom: number;
  frame: number;
  clickAt: number;
  responseEnd: number | null;
}

/**
 * In-page code as source text: the bench compiles without the DOM library, and these run in the
 * browser. INSTALL arms the observer for one subject (its argument), COLLECT awaits it.
 */
const INSTALL = `(subject) => {
  performance.clearResourceTimings();
  window.__benchOpen = new Promise((resolve) => {
    const shown = () => document.getElementById("message-subject")?.textContent?.trim() === subject;
    const observer = new MutationObserver(() => {
      if (!shown()) return;
      observer.disconnect();
      const dom = performance.now();
      requestAnimationFrame(() => resolve({ dom, frame: performance.now() }));
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  document.addEventListener("click", () => (window.__benchClickAt = performance.now()), { capture: true, once: true });
}`;
const COLLECT = `async () => {
  const shown = await window.__benchOpen;
  const entries = performance
    .getEntriesByType("resource")
    .filter((e) => /\\/api\\/messages\\/[^/?]+$/.test(new URL(e.name).pathname));
  const last = entries.at(-1);
  return { ...shown, clickAt: window.__benchClickAt ?? NaN, responseEnd: last ? last.responseEnd : null };
}`;

export async function runWebOpenMessage(
  count: number,
  samples: number,
  log: (line: string) => void,
): Promise<WebOpenResult> {
  const result: WebOpenResult = {
    count,
    samples: 0,
    afterData: null,
    afterDataToDom: null,
    clickToView: null,
  };
  if (!existsSync(CHROMIUM)) {
    result.skipped = `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
    log(`  web-open-message: skipped, ${result.skipped}`);
    return result;
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "mailpen-bench-web-"));
  const db = path.join(dir, "web.sqlite");
  let server: RunningServer | null = null;
  let browser: Browser | null = null;
  try {
    log(`  web-open-message ${count}: filling through the store...`);
    await fillStore({ db, count, size: "varied", concurrency: 64 });
    const ports = { smtpPort: await findFreePort(), httpPort: await findFreePort() };
    const starting = startMailpenProcess(db, ports);
    starting.catch(() => undefined);
    await waitForHealth(() => ports.httpPort, 60_000);
    server = await starting;
    const base = `http://127.0.0.1:${ports.httpPort}`;

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
    // Wide enough that the list and the message view sit side by side.
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    await page.goto(`${base}/`);
    const list = page.getByRole("list", { name: "Messages" });
    await list.getByRole("listitem").first().waitFor();
    await page.evaluate("performance.setResourceTimingBufferSize(100000)");

    const opened = new Set<string>();
    const afterData: number[] = [];
    const afterDataToDom: number[] = [];
    const clickToView: number[] = [];
    for (let attempt = 0; afterData.length < samples && attempt < samples * 4; attempt++) {
      // The next row not opened yet whose subject differs from the one shown (else the heading
      // would already match before the click).
      const current = await page
        .locator("#message-subject")
        .textContent({ timeout: 100 })
        .catch(() => null);
      const rows = await list.getByRole("link").evaluateAll((links) =>
        links.map((a) => ({
          href: a.getAttribute("href") ?? "",
          subject: a.querySelector(".message-row__subject")?.textContent?.trim() ?? "",
        })),
      );
      const next = rows.find(
        (r) => r.href && !opened.has(r.href) && r.subject && r.subject !== current?.trim(),
      );
      if (!next) {
        await page.locator(".message-list").evaluate((el) => {
          el.scrollTop += el.clientHeight;
        });
        await page.waitForTimeout(300);
        continue;
      }
      opened.add(next.href);
      await page.evaluate(`(${INSTALL})(${JSON.stringify(next.subject)})`);
      await list.locator(`a[href="${next.href}"]`).first().click();
      const timing = (await page.evaluate(`(${COLLECT})()`)) as OpenTiming;
      if (timing.responseEnd === null) continue; // served from a cache: no data arrival to time from
      afterData.push(timing.frame - timing.responseEnd);
      afterDataToDom.push(timing.dom - timing.responseEnd);
      if (Number.isFinite(timing.clickAt)) clickToView.push(timing.frame - timing.clickAt);
    }
    if (afterData.length === 0) throw new Error("no message opened with a timed GET /api/messages/:id");
    result.samples = afterData.length;
    result.afterData = summarizeLatencies(afterData);
    result.afterDataToDom = summarizeLatencies(afterDataToDom);
    result.clickToView = summarizeLatencies(clickToView);
    log(
      `  web-open-message ${count}: ${afterData.length} opens, after data p50 ` +
        `${result.afterData.p50?.toFixed(1)} ms p99 ${result.afterData.p99?.toFixed(1)} ms; click to view p50 ` +
        `${result.clickToView.p50?.toFixed(1)} ms`,
    );
  } catch (error) {
    result.error = (error as Error).message;
    log(`  web-open-message ${count}: ERROR ${result.error.split("\n")[0]}`);
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return result;
}
