import { SESSION_OUTCOMES } from "@mailpen/shared";
import { nullable, nullableString } from "./common.ts";

/** Schemas of the session routes, mirroring SessionSummary / SessionDetail of @mailpen/shared. */

const tlsSchema = {
  type: "object",
  required: ["protocol", "cipher", "mode"],
  properties: {
    protocol: nullableString,
    cipher: nullableString,
    mode: { type: "string", enum: ["starttls", "implicit"] },
  },
} as const;

const summaryProperties = {
  id: { type: "string" },
  startedAt: { type: "string", format: "date-time" },
  endedAt: nullableString,
  remoteAddress: { type: "string" },
  remotePort: { type: "integer" },
  localAddress: { type: "string" },
  localPort: { type: "integer" },
  heloName: nullableString,
  tls: nullable(tlsSchema),
  authMechanism: nullableString,
  authUser: nullableString,
  messageCount: { type: "integer" },
  outcome: nullable({ type: "string", enum: SESSION_OUTCOMES }),
  errorCount: { type: "integer" },
  warnings: { type: "array", items: { type: "string" } },
  entryCount: { type: "integer" },
} as const;

const summaryRequired = Object.keys(summaryProperties);

export const sessionSummarySchema = {
  type: "object",
  required: summaryRequired,
  properties: summaryProperties,
} as const;

export const transcriptEntrySchema = {
  type: "object",
  required: ["seq", "atMs", "dir", "text"],
  properties: {
    seq: { type: "integer" },
    atMs: { type: "number" },
    dir: { type: "string", enum: ["client", "server", "event"] },
    text: { type: "string" },
    masked: { type: "boolean" },
    data: {
      type: "object",
      required: ["bytes", "lines", "bareLf", "bareCr", "eightBit", "longLines", "nul"],
      properties: {
        bytes: { type: "integer" },
        lines: { type: "integer" },
        bareLf: { type: "integer" },
        bareCr: { type: "integer" },
        eightBit: { type: "integer" },
        longLines: { type: "integer" },
        nul: { type: "integer" },
      },
    },
    messageId: { type: "string" },
  },
} as const;

export const sessionDetailSchema = {
  type: "object",
  required: [...summaryRequired, "transcript", "messageIds"],
  properties: {
    ...summaryProperties,
    transcript: { type: "array", items: transcriptEntrySchema },
    messageIds: { type: "array", items: { type: "string" } },
  },
} as const;

export const sessionListSchema = {
  type: "object",
  required: ["sessions", "total", "nextCursor"],
  properties: {
    sessions: { type: "array", items: sessionSummarySchema },
    total: { type: "integer" },
    nextCursor: nullableString,
  },
} as const;
