/**
 * Pure preparation of an HTML body for the preview iframe with remote content blocked. No I/O.
 *
 * The server's /html endpoint already forbids scripts (CSP and sandbox) and points cid: references
 * at our own part URLs, but its CSP lets remote images load. Remote images are tracking pixels, so the
 * preview blocks them by default: the body is loaded as text and shown through `srcdoc` with a CSP of
 * its own that allows images only from our origin and data: URLs. The iframe's sandbox (no
 * allow-scripts, no allow-same-origin) still applies, so this adds a restriction and removes none.
 */

/** The CSP for a preview without remote content: our own origin (cid: parts) and data: only. */
export function toPreviewCsp(origin: string): string {
  return [
    "default-src 'none'",
    `img-src ${origin} data:`,
    "style-src 'unsafe-inline'",
    "font-src data:",
    "form-action 'none'",
    "base-uri 'none'",
  ].join("; ");
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/**
 * The body with a CSP meta element and `<base target="_blank">` (links open in a new tab) placed first,
 * after a doctype if there is one, so the parser puts them in <head> before any content loads.
 */
export function toBlockedRemotePreview(html: string, origin: string): string {
  const head = `<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(toPreviewCsp(origin))}"><base target="_blank">`;
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  if (doctype) return `${doctype[0]}${head}${html.slice(doctype[0].length)}`;
  return `${head}${html}`;
}

/** How many remote resources (http, https or protocol-relative URLs in src, background or url()) the body references. */
export function countRemoteReferences(html: string): number {
  const pattern = /(?:\b(?:src|background|srcset)\s*=\s*["']?\s*|url\(\s*["']?\s*)(?:https?:)?\/\//gi;
  return html.match(pattern)?.length ?? 0;
}
