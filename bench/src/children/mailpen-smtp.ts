/**
 * Child: Mailpen's SMTP listener with a backend that only counts accepted messages. It implements
 * the streaming seam (`openContent`), so content is counted as it arrives and never held: the 50 MB
 * scenario measures the engine's own memory, not a buffered copy of the message.
 */
import { createSmtpServer, type SmtpBackend } from "@mailpen/smtp";
import { announceReady } from "./ready.ts";

let delivered = 0;
let contentBytes = 0;
const countingBackend: SmtpBackend = {
  sessionStarted: () => undefined,
  transcriptAppended: () => undefined,
  deliver: async () => {
    delivered += 1;
  },
  openContent: () => ({
    write: (chunk) => {
      contentBytes += chunk.length;
    },
    end: async () => {
      delivered += 1;
    },
    abort: () => undefined,
  }),
  sessionEnded: () => undefined,
};

const server = createSmtpServer(countingBackend, {});
const address = await server.listen({ port: 0, host: "127.0.0.1" });
announceReady(address.port, null, async () => {
  await server.close();
  process.stderr.write(`delivered ${delivered} (${contentBytes} content octets)\n`);
});
