import { MESSAGE_FLAGS } from "@mailpen/shared";

/**
 * JSON schemas shared by several routes. They mirror the DTOs of @mailpen/shared: response schemas
 * also drive serialization (fast-json-stringify drops properties a schema does not list), so a field
 * added to a DTO must be added here too.
 */

export const nullable = <T extends object>(schema: T) => ({ anyOf: [schema, { type: "null" }] }) as const;
export const nullableString = { type: ["string", "null"] } as const;

export const errorBodySchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" } },
    },
  },
} as const;

/** Error replies every route may give. */
export const errorResponses = {
  400: errorBodySchema,
  401: errorBodySchema,
  404: errorBodySchema,
  500: errorBodySchema,
} as const;

export const idParamsSchema = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", minLength: 1, maxLength: 200 } },
} as const;

export const addressSchema = {
  type: "object",
  required: ["name", "address"],
  properties: { name: { type: "string" }, address: { type: "string" } },
} as const;

const esmtpParamsSchema = {
  type: "object",
  additionalProperties: { anyOf: [{ type: "string" }, { type: "boolean" }] },
} as const;

export const envelopeSchema = {
  type: "object",
  required: ["mailFrom", "mailParams", "rcptTo", "heloName", "authUser", "tls", "transport"],
  properties: {
    mailFrom: { type: "string" },
    mailParams: esmtpParamsSchema,
    rcptTo: {
      type: "array",
      items: {
        type: "object",
        required: ["address", "params"],
        properties: { address: { type: "string" }, params: esmtpParamsSchema },
      },
    },
    heloName: nullableString,
    authUser: nullableString,
    tls: { type: "boolean" },
    transport: { type: "string", enum: ["DATA", "BDAT"] },
  },
} as const;

export const messageFlagSchema = { type: "string", enum: MESSAGE_FLAGS } as const;

export const statsSchema = {
  type: "object",
  required: ["total", "unread", "bytes", "sessions"],
  properties: {
    total: { type: "integer" },
    unread: { type: "integer" },
    bytes: { type: "integer" },
    sessions: { type: "integer" },
  },
} as const;

/** `limit` and `cursor` of the paged lists. */
export const pageQueryProperties = {
  limit: { type: "integer", minimum: 1, maximum: 1000, default: 50 },
  cursor: { type: "string", minLength: 1, maxLength: 500 },
} as const;
