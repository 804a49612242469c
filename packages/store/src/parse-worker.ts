/**
 * Worker thread entry: parses raw messages with mailparser off the main thread, so a large message
 * never competes with ingest and SMTP replies for the event loop. One request in, one reply out,
 * matched by `key`. No database access here.
 */
import { parentPort } from "node:worker_threads";
import { parseMessageContent } from "./message-parse.ts";

interface ParseRequest {
  key: number;
  raw: Uint8Array;
}

const port = parentPort;
if (port) {
  port.on("message", (request: ParseRequest) => {
    const raw = Buffer.from(request.raw.buffer, request.raw.byteOffset, request.raw.byteLength);
    void parseMessageContent(raw).then((result) => port.postMessage({ key: request.key, result }));
  });
}
