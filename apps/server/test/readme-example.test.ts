// The "Use it from CI" example of the root README.md, kept runnable: if this test breaks, the
// README's example is wrong too. Keep the two in step.
import { afterAll, beforeAll, expect, it } from "vitest";
import nodemailer from "nodemailer";
import type { WaitResponse } from "@mailpen/shared";
import { startMailpen } from "../src/index.ts";

let mailpen: Awaited<ReturnType<typeof startMailpen>>;
beforeAll(async () => {
  mailpen = await startMailpen({ smtpPort: 0, httpPort: 0, db: ":memory:" });
});
afterAll(() => mailpen.close());

it("sends the welcome email", async () => {
  const since = Date.now(); // wait for mail that arrives from here on, even if it beats the request
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: mailpen.smtpPort,
    ignoreTLS: true,
  });
  await transport.sendMail({
    from: "app@example.test",
    to: "alice@example.test",
    subject: "Welcome",
    text: "Hi",
  });
  const res = await fetch(
    new URL(`api/wait?query=to:alice@example.test&since=${since}&timeout=5`, mailpen.url),
  );
  const { messages } = (await res.json()) as WaitResponse;
  expect(messages[0]?.subject).toBe("Welcome");
});

it("answers the README's curl wait with 408 and no messages when nothing matches", async () => {
  const res = await fetch(
    new URL("api/wait?query=to:alice@example.test%20subject:welcome&timeout=1", mailpen.url),
  );
  expect(res.status).toBe(408);
  expect(((await res.json()) as WaitResponse).messages).toEqual([]);
});
