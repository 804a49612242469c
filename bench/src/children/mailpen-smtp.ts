/** Child: Mailpen's SMTP listener with a backend that only counts accepted messages. */
import { createSmtpServer, type SmtpBackend } from "@mailpen/smtp";
import { announceReady } from "./ready.ts";

let delivered = 0;
const countingBackend: SmtpBackend = {
  sessionStarted: () => undefined,
  transcriptAppended: () => undefined,
  deliver: async () => {
    delivered += 1;
  },
  sessionEnded: () => undefined,
};

const server = createSmtpServer(countingBackend, {});
const address = await server.listen({ port: 0, host: "127.0.0.1" });
announceReady(address.port, null, async () => {
  await server.close();
  process.stderr.write(`delivered ${delivered}\n`);
});
