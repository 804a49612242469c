/** Child: the whole of Mailpen. Arguments: <db file> [smtpPort] [httpPort] (0 = any free port). */
import { startMailpen } from "@mailpen/server";
import { announceReady } from "./ready.ts";

const [db = ":memory:", smtpPort = "0", httpPort = "0"] = process.argv.slice(2);
const mailpen = await startMailpen({
  db,
  smtpPort: Number(smtpPort),
  httpPort: Number(httpPort),
  host: "127.0.0.1",
  maxMessages: 0,
  logLevel: "silent",
});
announceReady(mailpen.smtpPort, mailpen.httpPort, () => mailpen.close());
