import { toApiUrl } from "../../../lib/api-client.ts";

/**
 * The URL of GET /api/messages/:id/html, the HTML body served with a script-forbidding CSP, for a
 * sandboxed iframe. `remote` asks the server to let remote images load (off by default).
 */
export function toMessageHtmlUrl(id: string, remote: boolean): string {
  return toApiUrl(`/messages/${encodeURIComponent(id)}/html`, { remote: remote ? 1 : undefined });
}
