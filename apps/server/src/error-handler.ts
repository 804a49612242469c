import type { ApiErrorBody } from "@mailpen/shared";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { InvalidQueryError } from "@mailpen/store";
import { ApiError } from "./api-error.ts";

/**
 * The app's one error handler and not-found handler. Invariants:
 * - every error reply has the body `{ error: { code, message } }`;
 * - validation errors are 400 and name the field (`querystring/limit must be <= 1000`);
 * - client errors keep their status (4xx) and message; a search the store rejects is a 400 even
 *   where a route did not validate the query first;
 * - anything else is a 500 with a generic message; the details go to the log only.
 */

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** "querystring/limit must be <= 1000", "body/tags/0 must NOT have more than 100 characters". */
export function formatValidationMessage(context: string | undefined, issue: AjvIssue | undefined): string {
  const where = [context ?? "request", ...(issue?.instancePath ?? "").split("/").filter((s) => s !== "")];
  const params = issue?.params ?? {};
  if (typeof params.missingProperty === "string")
    return `${[...where, params.missingProperty].join("/")} is required`;
  if (typeof params.additionalProperty === "string") {
    return `${[...where, params.additionalProperty].join("/")} is not allowed`;
  }
  return `${where.join("/")} ${issue?.message ?? "is invalid"}`;
}

/** Stable `code` words for the client errors Fastify itself raises (bad JSON, too large, ...). */
const CLIENT_ERROR_CODES: Record<number, string> = {
  401: "unauthorized",
  404: "not_found",
  405: "method_not_allowed",
  406: "not_acceptable",
  408: "timeout",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "too_many_requests",
};

function errorBody(code: string, message: string): ApiErrorBody {
  return { error: { code, message } };
}

/** Install the error and not-found handlers on `app` (API routes; static.ts handles the SPA fallback). */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ApiError) {
      return reply.code(error.statusCode).send(errorBody(error.code, error.message));
    }
    if (error instanceof InvalidQueryError) {
      return reply.code(400).send(errorBody("bad_request", `query: ${error.message}`));
    }
    if ("validation" in error && error.validation) {
      const message = formatValidationMessage(error.validationContext, error.validation[0] as AjvIssue);
      return reply.code(400).send(errorBody("bad_request", message));
    }
    const status = typeof error.statusCode === "number" ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      const code = CLIENT_ERROR_CODES[status] ?? "bad_request";
      return reply.code(status).send(errorBody(code, error.message));
    }
    request.log.error({ err: error }, "request failed");
    return reply.code(500).send(errorBody("internal_error", "internal server error"));
  });
}

/**
 * Errors Fastify's router raises before any route or hook runs (Fastify's `frameworkErrors`), in the
 * same body as every other error: a path parameter over the router's length limit is 414, a URL
 * whose percent-encoding does not decode is 400.
 */
export function replyToFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  if (error.code === "FST_ERR_MAX_PARAM_LENGTH") {
    void reply.code(414).send(errorBody("uri_too_long", "a path parameter is longer than 100 characters"));
  } else if (error.code === "FST_ERR_BAD_URL") {
    void reply.code(400).send(errorBody("bad_request", "the URL's percent-encoding is malformed"));
  } else {
    void reply.code(500).send(errorBody("internal_error", "internal server error"));
  }
}

/** The 404 body for unknown API paths. */
export function routeNotFound(request: FastifyRequest): ApiErrorBody {
  return errorBody("not_found", `no route ${request.method} ${request.url.split("?")[0]}`);
}
