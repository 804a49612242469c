/**
 * Worker thread entry: parses raw messages (parse-content.ts) off the main thread, so a large message
 * never competes with ingest and SMTP replies for the event loop. One request in, one reply out,
 * matched by `key`. No database access here.
 */
import { parentPort } from "node:worker_threads";
import { parseContent } from "./parse-content.ts";
import { ownsMemory, releaseMemory } from "./owned-buffer.ts";

export interface ParseRequest {
  key: number;
  raw: Uint8Array;
  /** The fast parse already declined this message (message-parser.ts ran it inline): mailparser's. */
  fastParseDeclined?: boolean;
}

const port = parentPort;
if (port) {
  port.on("message", (request: ParseRequest) => {
    const raw = Buffer.from(request.raw.buffer, request.raw.byteOffset, request.raw.byteLength);
    void parseContent(raw, request.fastParseDeclined === true).then((result) => {
      // Move the bodies and the part contents that own their whole memory instead of copying them
      // (a 5 MB body would otherwise exist twice until the worker's next GC); pooled slices are
      // copied.
      const transfer: ArrayBuffer[] = [];
      if (result.ok) {
        const c = result.content;
        for (const bytes of [c.text, c.html, ...c.parts.map((p) => p.content)]) {
          if (bytes && ownsMemory(bytes) && !transfer.includes(bytes.buffer as ArrayBuffer))
            transfer.push(bytes.buffer as ArrayBuffer);
        }
      }
      port.postMessage({ key: request.key, result }, transfer);
      releaseMemory(raw);
    });
  });
}
