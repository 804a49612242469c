/**
 * Errors a route throws to give a specific client error. The error handler turns them into the one
 * error body `{ error: { code, message } }`; route handlers never build error replies themselves.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** 404 for an id the store does not know. */
export function notFound(what: string, id: string): ApiError {
  return new ApiError(404, "not_found", `${what} ${JSON.stringify(id)} not found`);
}

/** 400 naming the parameter at fault, e.g. `badRequest("querystring/query", "unbalanced quote")`. */
export function badRequest(field: string, message: string): ApiError {
  return new ApiError(400, "bad_request", `${field}: ${message}`);
}
