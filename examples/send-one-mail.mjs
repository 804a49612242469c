// The example application of docker-compose.yml: sends one email over SMTP to Mailpen and exits.
// Dependency-free on purpose (plain node:net), so it runs in a bare node image. A real application
// would use its mail library pointed at SMTP_HOST:SMTP_PORT (see README.md for nodemailer).
import net from "node:net";

const host = process.env.SMTP_HOST ?? "127.0.0.1";
const port = Number(process.env.SMTP_PORT ?? 1025);
const message = [
  "From: Example App <app@example.test>",
  "To: Alice <alice@example.test>",
  "Subject: Hello from the example app",
  `Date: ${new Date().toUTCString()}`,
  "Content-Type: text/plain; charset=utf-8",
  "",
  "This message was sent by the docker-compose example service.",
  "",
].join("\r\n");
const commands = [
  "EHLO example-app",
  "MAIL FROM:<app@example.test>",
  "RCPT TO:<alice@example.test>",
  "DATA",
  `${message}.`,
  "QUIT",
];

const socket = net.connect(port, host);
let buffered = "";
socket.setEncoding("utf8");
socket.on("data", (chunk) => {
  buffered += chunk;
  // A reply is complete when a line has a space after its code ("250 ok", not "250-...").
  let last;
  while ((last = /^(\d{3}) .*\r\n/m.exec(buffered)) !== null) {
    const end = last.index + last[0].length;
    process.stdout.write(`S: ${buffered.slice(0, end)}`);
    buffered = buffered.slice(end);
    if (last[1].startsWith("4") || last[1].startsWith("5")) {
      console.error("Mailpen refused the message");
      process.exit(1);
    }
    const next = commands.shift();
    if (next === undefined) return;
    process.stdout.write(`C: ${next.split("\r\n")[0]}\n`);
    socket.write(`${next}\r\n`);
  }
});
socket.on("close", () => process.exit(0));
socket.on("error", (error) => {
  console.error(`cannot reach Mailpen at ${host}:${port}: ${error.message}`);
  process.exit(1);
});
