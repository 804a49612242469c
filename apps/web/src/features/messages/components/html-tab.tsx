/**
 * The HTML body in a sandboxed iframe. The sandbox has no allow-scripts and no allow-same-origin, and
 * the server adds a CSP that forbids scripts, so neither a <script> nor an onerror handler can run,
 * and the page cannot navigate the app. Only popups are allowed, so links open in a new tab.
 */
import { useState } from "react";
import type { MessageDetail } from "@mailpen/shared";
import { toMessageHtmlUrl } from "../api/get-message-html.ts";

const widths = { desktop: "100%", tablet: "768px", phone: "375px" } as const;
type Width = keyof typeof widths;

export function HtmlTab({ message }: { message: MessageDetail }) {
  const [width, setWidth] = useState<Width>("desktop");
  const [remote, setRemote] = useState(false);
  if (!message.html) return <p className="muted">This message has no HTML body.</p>;
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
        </label>
      </div>
      <div className="html-tab__stage">
        <iframe
          key={String(remote)}
          className="html-tab__frame"
          title={`HTML body of ${message.subject || "the message"}`}
          src={toMessageHtmlUrl(message.id, remote)}
          sandbox="allow-popups allow-popups-to-escape-sandbox"
          referrerPolicy="no-referrer"
          style={{ width: widths[width] }}
        />
      </div>
    </div>
  );
}
