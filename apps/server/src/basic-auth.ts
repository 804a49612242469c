import type { FastifyInstance } from "fastify";
import { ApiError } from "./api-error.ts";
import { checkPassword, type UserTable } from "./auth-file.ts";

/**
 * Optional HTTP basic auth (RFC 7617) for the inbox and the API, websocket upgrade included.
 * /api/health stays open so a load balancer or CI can probe readiness without credentials.
 */

/** Parse `Authorization: Basic base64(user:password)`; undefined when absent or malformed. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  const match = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function installBasicAuth(app: FastifyInstance, users: UserTable): void {
  app.addHook("onRequest", async (request, reply) => {
    if (request.url === "/api/health" || request.url.startsWith("/api/health?")) return;
    const credentials = parseBasicAuth(request.headers.authorization);
    if (credentials && checkPassword(users, credentials.user, credentials.password)) return;
    reply.header("www-authenticate", 'Basic realm="mailpen", charset="UTF-8"');
    throw new ApiError(401, "unauthorized", "authentication required");
  });
}
