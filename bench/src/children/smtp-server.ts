/**
 * Child: nodemailer's smtp-server with a handler that discards the message, otherwise defaults
 * (including its 100 ms wait before the greeting). AUTH is made optional, since the load sends none.
 */
import { SMTPServer } from "smtp-server";
import { announceReady } from "./ready.ts";

const server = new SMTPServer({
  authOptional: true,
  logger: false,
  onData(stream, _session, callback) {
    stream.on("data", () => undefined);
    stream.on("end", () => callback());
  },
});
server.on("error", (error) => console.error(error));
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.server.address();
const port = typeof address === "object" && address ? address.port : 0;
announceReady(port, null, () => new Promise<void>((resolve) => server.close(() => resolve())));
