/**
 * How a message's HTML body is served for the inbox's sandboxed iframe. Pure: no I/O.
 * The CSP forbids every script (no script-src, `default-src 'none'`) and sandboxes the document
 * (no allow-scripts, no allow-same-origin), so hostile mail cannot run code or reach the API.
 */

export const HTML_BODY_CSP = [
  "default-src 'none'",
  "img-src 'self' data: cid: https: http:",
  "style-src 'unsafe-inline'",
  "font-src data:",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'self'",
  "sandbox allow-popups allow-popups-to-escape-sandbox",
].join("; ");

/** Headers sent with /api/messages/:id/html. */
export const HTML_BODY_HEADERS = {
  "content-security-policy": HTML_BODY_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
} as const;

/**
 * Point `cid:` references (in attributes and CSS `url()`) at the part route, so inline images load:
 * `src="cid:logo@x"` becomes `src="/api/messages/<id>/parts/logo%40x"`. Only references directly after a
 * quote, `=` or `(` are rewritten, so the text "cid:" in prose stays as written.
 */
export function rewriteCidReferences(html: string, messageId: string): string {
  const base = `/api/messages/${encodeURIComponent(messageId)}/parts/`;
  return html.replace(/(["'(=]\s*)cid:([^"'\s)>]+)/gi, (_match, lead: string, cid: string) => {
    let decoded = cid;
    try {
      decoded = decodeURIComponent(cid);
    } catch {
      // A malformed escape is kept as written.
    }
    return `${lead}${base}${encodeURIComponent(decoded)}`;
  });
}
