/** The sessions list and a session's transcript: commands in order, replies, and the link to the message. */
import assert from "node:assert/strict";
import net from "node:net";
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

test("the session view shows the commands in order and links to the message", async () => {
  await h.page.goto(`${h.base}/sessions`);
  await waitForLive(h.page);
  await h.send({
    from: "sender@example.test",
    to: ["one@example.test", "two@example.test"],
    subject: "Session subject",
    text: "hello",
  });
  const row = h.page.locator(".sessions-table tbody tr").first();
  await row.waitFor();
  // The row updates live until the session ends (nodemailer closes without QUIT).
  await h.page.waitForFunction(
    () => !document.querySelector(".sessions-table tbody tr")?.textContent?.includes("in progress"),
  );
  assert.match((await row.textContent()) ?? "", /127\.0\.0\.1/);
  await h.screenshot("sessions");

  await row.getByRole("link").click();
  const transcript = h.page.getByRole("list", { name: "SMTP transcript" });
  await transcript.waitFor();
  const lines = (await transcript.getByRole("listitem").allTextContents()).map((line) =>
    line.replace(/\s+/g, " "),
  );
  const commands = lines
    .filter((line) => /C:client/.test(line))
    .map((line) => line.replace(/^.*C:client/, ""));
  const verbs = commands.map((command) => command.split(/[\s:]/)[0]?.toUpperCase());
  const expected = ["EHLO", "MAIL", "RCPT", "RCPT", "DATA"];
  assert.deepEqual(
    verbs.filter((verb) => expected.includes(verb ?? "")),
    expected,
    commands.join(" | "),
  );
  assert.ok(commands.some((command) => command.includes("<one@example.test>")));
  assert.ok(
    lines.some((line) => /S:server\s*220/.test(line)),
    "the greeting is shown as a server line",
  );
  assert.ok((await transcript.locator(".reply-code--2xx").count()) > 3);
  await h.screenshot("session-transcript");

  const links = h.page.locator('a[href^="/messages/"]');
  assert.ok((await links.count()) >= 1, "the session links to its message");
  await links.first().click();
  await h.page.getByRole("heading", { name: "Session subject" }).waitFor();
  assert.deepEqual(h.consoleErrors, []);
});

/** Opens an SMTP connection driven one line at a time, so a test can watch a session in progress. */
async function openStepClient(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  let buffer = "";
  let notify: (() => void) | undefined;
  socket.on("data", (chunk) => {
    buffer += chunk.toString("latin1");
    notify?.();
  });
  const reply = async () => {
    for (let i = 0; i < 100 && !/(^|\r\n)\d{3} [^\r\n]*\r\n$/.test(buffer); i++) {
      await new Promise<void>((resolve) => {
        notify = resolve;
        setTimeout(resolve, 100);
      });
    }
    const text = buffer;
    buffer = "";
    return text;
  };
  await reply();
  return {
    command: async (line: string) => {
      socket.write(`${line}\r\n`);
      return reply();
    },
    close: () => new Promise<void>((resolve) => socket.end(resolve)),
  };
}

test("a session in progress grows live in the session view", async () => {
  const client = await openStepClient(h.mailpen.smtpPort);
  try {
    assert.match(await client.command("EHLO live.e2e.test"), /^250/);
    await h.page.goto(`${h.base}/sessions`);
    await waitForLive(h.page);
    const row = h.page.locator(".sessions-table tbody tr", { hasText: "live.e2e.test" });
    await row.getByText("in progress").waitFor();
    await row.getByRole("link").click();
    const transcript = h.page.getByRole("list", { name: "SMTP transcript" });
    await transcript.getByText("EHLO live.e2e.test").waitFor();

    assert.match(await client.command("MAIL FROM:<live@example.test>"), /^250/);
    await transcript.getByText("MAIL FROM:<live@example.test>").waitFor();
    assert.match(await client.command("RCPT TO:<nobody@example.test>"), /^250/);
    await transcript.getByText("RCPT TO:<nobody@example.test>").waitFor();
    assert.match(await client.command("VRFY nobody"), /^[25]/);
    await transcript.getByText("VRFY nobody").waitFor();
    await h.screenshot("session-live");
    assert.match(await client.command("QUIT"), /^221/);
    await h.page.locator(".page__head").getByText("QUIT").waitFor();
  } finally {
    await client.close();
  }
  assert.deepEqual(h.consoleErrors, []);
});
