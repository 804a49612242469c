/**
 * Worker thread entry: the store's work that must not hold the main thread's event loop, where SMTP
 * replies and API requests wait.
 * - Parse requests: the full MIME parse of a raw message (parse-content.ts), so a large message never
 *   competes with ingest for the event loop.
 * - Checkpoint requests: the WAL checkpoint (wal-checkpoint.ts), on a database connection of the
 *   worker's own, beside the main connection's writes.
 * One request in, one reply out, matched by `key`.
 */
import { parentPort } from "node:worker_threads";
import { parseContent } from "./parse-content.ts";
import { ownsMemory, releaseMemory } from "./owned-buffer.ts";
import { checkpointWal, type CheckpointResult } from "./wal-checkpoint.ts";
import type { ParseResult } from "./message-parse.ts";

export interface ParseRequest {
  kind: "parse";
  key: number;
  raw: Uint8Array;
  /** The fast parse already declined this message (message-parser.ts ran it inline): mailparser's. */
  fastParseDeclined?: boolean;
}

export interface CheckpointRequest {
  kind: "checkpoint";
  key: number;
  /** The database file. */
  path: string;
}

export type WorkerRequest = ParseRequest | CheckpointRequest;

export type WorkerReply =
  | { kind: "parse"; key: number; result: ParseResult }
  | { kind: "checkpoint"; key: number; result: CheckpointResult | { error: string } };

const port = parentPort;
if (port) {
  port.on("message", (request: WorkerRequest) => {
    if (request.kind === "checkpoint") {
      let result: CheckpointResult | { error: string };
      try {
        result = checkpointWal(request.path);
      } catch (error) {
        result = { error: String(error) };
      }
      const reply: WorkerReply = { kind: "checkpoint", key: request.key, result };
      port.postMessage(reply);
      return;
    }
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
      const reply: WorkerReply = { kind: "parse", key: request.key, result };
      port.postMessage(reply, transfer);
      releaseMemory(raw);
    });
  });
}
