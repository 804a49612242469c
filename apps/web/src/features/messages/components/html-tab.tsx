/**
 * The HTML body in a sandboxed iframe: no allow-scripts and no allow-same-origin, so neither a
 * <script> nor an onerror handler can run and the page cannot reach the app or navigate it; only
 * popups are allowed, so links open in a new tab. Remote images are blocked by default (the body is
 * shown through srcdoc with a CSP of our own, see html-preview.ts); the toggle loads the server's
 * /html endpoint directly, whose CSP still forbids scripts.
 */
import { useMemo, useState } from "react";
import type { MessageDetail } from "@mailpen/shared";
import { toMessageHtmlUrl, useMessageHtml } from "../api/get-message-html.ts";
import { countRemoteReferences, toBlockedRemotePreview } from "../html-preview.ts";

const widths = { desktop: "100%", tablet: "768px", phone: "375px" } as const;
type Width = keyof typeof widths;

/** The iframe sandbox: popups only. Never add allow-scripts or allow-same-origin. */
export const PREVIEW_SANDBOX = "allow-popups allow-popups-to-escape-sandbox";

export function HtmlTab({ message }: { message: MessageDetail }) {
  const [width, setWidth] = useState<Width>("desktop");
  const [remote, setRemote] = useState(false);
  const { data: html, error } = useMessageHtml(message.html && !remote ? message.id : null);
  const remoteCount = useMemo(() => countRemoteReferences(message.html ?? ""), [message.html]);
  const srcDoc = useMemo(
    () => (html === undefined ? undefined : toBlockedRemotePreview(html, window.location.origin)),
    [html],
  );
  if (!message.html) return <p className="muted">This message has no HTML body.</p>;
  const title = `HTML body of ${message.subject || "the message"}`;
  return (
    <div className="html-tab">
      <div className="html-tab__bar">
        <div className="segmented" role="group" aria-label="Preview width">
          {(Object.keys(widths) as Width[]).map((name) => (
            <button
              key={name}
              type="button"
              className="segmented__item"
              aria-pressed={width === name}
              onClick={() => setWidth(name)}
            >
              {name[0]?.toUpperCase() + name.slice(1)}
            </button>
          ))}
        </div>
        <label className="toggle">
          <input type="checkbox" checked={remote} onChange={(event) => setRemote(event.target.checked)} />
          Load remote images
          {remoteCount > 0 && !remote && <span className="badge badge--warn">{remoteCount} blocked</span>}
        </label>
      </div>
      {error && (
        <p className="banner banner--error" role="alert">
          {error.message}
        </p>
      )}
      <div className="html-tab__stage">
        {remote ? (
          <iframe
            key="remote"
            className="html-tab__frame"
            title={title}
            src={toMessageHtmlUrl(message.id)}
            sandbox={PREVIEW_SANDBOX}
            referrerPolicy="no-referrer"
            style={{ width: widths[width] }}
          />
        ) : (
          srcDoc !== undefined && (
            <iframe
              key="blocked"
              className="html-tab__frame"
              title={title}
              srcDoc={srcDoc}
              sandbox={PREVIEW_SANDBOX}
              referrerPolicy="no-referrer"
              style={{ width: widths[width] }}
            />
          )
        )}
      </div>
    </div>
  );
}
