import { requestText, toApiUrl } from "../../../lib/api-client.ts";
import { useResource } from "../../../lib/use-resource.ts";

/**
 * The URL of GET /api/messages/:id/html: the HTML body with cid: references pointing at our part
 * URLs, served with a CSP that forbids scripts, for a sandboxed iframe.
 */
export function toMessageHtmlUrl(id: string): string {
  return toApiUrl(`/messages/${encodeURIComponent(id)}/html`);
}

/** The HTML body as text, for a preview with remote content blocked (see html-preview.ts). */
export function getMessageHtml(id: string, signal?: AbortSignal): Promise<string> {
  return requestText(toMessageHtmlUrl(id), { signal });
}

/** The HTML body as text; a null id loads nothing. */
export function useMessageHtml(id: string | null) {
  return useResource(id, (signal) => getMessageHtml(id as string, signal));
}
