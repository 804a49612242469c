import {
  addressSchema,
  envelopeSchema,
  messageFlagSchema,
  nullable,
  nullableString,
  pageQueryProperties,
} from "./common.ts";

/** Schemas of the message routes, mirroring MessageSummary / MessageDetail of @mailpen/shared. */

const summaryProperties = {
  id: { type: "string" },
  sessionId: nullableString,
  receivedAt: { type: "string", format: "date-time" },
  from: nullable(addressSchema),
  to: { type: "array", items: addressSchema },
  cc: { type: "array", items: addressSchema },
  envelope: envelopeSchema,
  subject: { type: "string" },
  snippet: { type: "string" },
  size: { type: "integer" },
  attachmentCount: { type: "integer" },
  hasHtml: { type: "boolean" },
  hasText: { type: "boolean" },
  read: { type: "boolean" },
  tags: { type: "array", items: { type: "string" } },
  flags: { type: "array", items: messageFlagSchema },
  date: nullableString,
  messageIdHeader: nullableString,
  parseState: { type: "string", enum: ["pending", "parsed", "failed"] },
} as const;

const summaryRequired = Object.keys(summaryProperties);

export const messageSummarySchema = {
  type: "object",
  required: summaryRequired,
  properties: summaryProperties,
} as const;

export const messagePartSchema = {
  type: "object",
  required: ["partId", "filename", "contentType", "disposition", "size", "contentId", "checksum"],
  properties: {
    partId: { type: "string" },
    filename: nullableString,
    contentType: { type: "string" },
    disposition: { type: "string", enum: ["attachment", "inline"] },
    size: { type: "integer" },
    contentId: nullableString,
    checksum: { type: "string" },
  },
} as const;

export const messageDetailSchema = {
  type: "object",
  required: [...summaryRequired, "headers", "text", "html", "attachments", "parseError"],
  properties: {
    ...summaryProperties,
    headers: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "value", "raw"],
        properties: { name: { type: "string" }, value: { type: "string" }, raw: { type: "string" } },
      },
    },
    text: nullableString,
    html: nullableString,
    attachments: { type: "array", items: messagePartSchema },
    parseError: nullableString,
  },
} as const;

export const messageListSchema = {
  type: "object",
  required: ["messages", "total", "unread", "nextCursor"],
  properties: {
    messages: { type: "array", items: messageSummarySchema },
    total: { type: "integer" },
    unread: { type: "integer" },
    nextCursor: nullableString,
  },
} as const;

export const queryProperty = { type: "string", maxLength: 2000 } as const;

export const messageListQuerySchema = {
  type: "object",
  properties: { ...pageQueryProperties, query: queryProperty },
} as const;

export const messagePatchSchema = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: {
    read: { type: "boolean" },
    tags: {
      type: "array",
      maxItems: 100,
      uniqueItems: true,
      items: { type: "string", minLength: 1, maxLength: 100 },
    },
  },
} as const;

export const partParamsSchema = {
  type: "object",
  required: ["id", "partId"],
  properties: {
    id: { type: "string", minLength: 1, maxLength: 200 },
    partId: { type: "string", minLength: 1, maxLength: 500 },
  },
} as const;

export const deletedSchema = {
  type: "object",
  required: ["deleted"],
  properties: { deleted: { type: "integer" } },
} as const;
