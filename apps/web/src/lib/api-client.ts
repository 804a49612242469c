/**
 * The one way the web app talks HTTP to the Mailpen API: same-origin relative URLs under /api, JSON
 * bodies, and the API's single error shape `{ error: { code, message } }` turned into an ApiError.
 */
import type { ApiErrorBody } from "@mailpen/shared";

/** A failed API call: `status` is the HTTP status (0 for a network failure), `code` the API's error code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

/** Builds an /api URL with query parameters, leaving out undefined, null and empty values. */
export function toApiUrl(
  path: string,
  params: Record<string, string | number | boolean | null | undefined> = {},
) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    search.set(key, String(value));
  }
  const query = search.toString();
  return `/api${path}${query ? `?${query}` : ""}`;
}

async function send(url: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "Mailpen is not reachable.");
  }
  if (!response.ok) {
    let code = `http-${response.status}`;
    let message = response.statusText || `HTTP ${response.status}`;
    try {
      const body = (await response.json()) as Partial<ApiErrorBody>;
      if (body.error) {
        code = body.error.code;
        message = body.error.message;
      }
    } catch {
      // Not a JSON error body: keep the status line.
    }
    throw new ApiError(response.status, code, message);
  }
  return response;
}

/** GET (or another method) returning parsed JSON. */
export async function requestJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await send(url, {
    ...init,
    headers: { accept: "application/json", ...(init?.body ? { "content-type": "application/json" } : {}) },
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** GET returning the body as text. */
export async function requestText(url: string, init?: RequestInit): Promise<string> {
  return (await send(url, init)).text();
}

/** GET returning the exact bytes of the body. */
export async function requestBytes(url: string, init?: RequestInit): Promise<ArrayBuffer> {
  return (await send(url, init)).arrayBuffer();
}
