/**
 * One message: its header block and the tabs HTML, Text, Headers, Raw, Attachments, Envelope.
 * A message whose MIME parse failed still opens: the parse error is shown and Raw is the default tab.
 * Opening marks it read.
 */
import { useEffect } from "react";
import type { MessageDetail } from "@mailpen/shared";
import { Link, navigate, paths } from "../../../app/router.tsx";
import { formatSize } from "../../../lib/format-size.ts";
import { formatDateTime } from "../../../lib/format-time.ts";
import { useLive, useLiveEvents } from "../../live/components/live-provider.tsx";
import { toMessageRawUrl } from "../api/get-message-raw.ts";
import { useMessage } from "../api/get-message.ts";
import { updateMessage } from "../api/update-message.ts";
import { AttachmentsTab } from "./attachments-tab.tsx";
import { EnvelopeTab } from "./envelope-tab.tsx";
import { HeadersTab } from "./headers-tab.tsx";
import { HtmlTab } from "./html-tab.tsx";
import { flagLabels, formatAddress } from "./message-labels.ts";
import { RawTab } from "./raw-tab.tsx";
import { TextTab } from "./text-tab.tsx";

export const MESSAGE_TABS = ["html", "text", "headers", "raw", "attachments", "envelope"] as const;
export type MessageTab = (typeof MESSAGE_TABS)[number];

const tabLabels: Record<MessageTab, string> = {
  html: "HTML",
  text: "Text",
  headers: "Headers",
  raw: "Raw",
  attachments: "Attachments",
  envelope: "Envelope & session",
};

/** The tab shown when the URL names none: the richest view the message has. */
export function toDefaultTab(message: MessageDetail): MessageTab {
  if (message.parseState === "failed") return "raw";
  if (message.html) return "html";
  if (message.text !== null) return "text";
  return "raw";
}

function isTab(value: string | null): value is MessageTab {
  return value !== null && (MESSAGE_TABS as readonly string[]).includes(value);
}

export interface MessageViewProps {
  id: string;
  tab: string | null;
  onDelete: (id: string) => void;
}

export function MessageView({ id, tab, onDelete }: MessageViewProps) {
  const { epoch } = useLive();
  const { data: message, error, reload } = useMessage(id, epoch);

  // A message opened before its deferred MIME parse finished is fetched again once the parse lands.
  useLiveEvents((event) => {
    if (
      event.type === "message.updated" &&
      event.message.id === id &&
      message?.parseState !== event.message.parseState
    ) {
      reload();
    }
  });

  useEffect(() => {
    if (message && !message.read) void updateMessage(id, { read: true }).catch(() => undefined);
  }, [id, message]);

  if (error) {
    return (
      <div className="message-view">
        <MessageBack />
        <p className="banner banner--error" role="alert">
          {"status" in error && error.status === 404
            ? "This message does not exist (any more)."
            : error.message}
        </p>
      </div>
    );
  }
  if (!message) {
    return (
      <div className="message-view" aria-busy="true">
        <p className="muted">Loading message…</p>
      </div>
    );
  }

  const active: MessageTab = isTab(tab) ? tab : toDefaultTab(message);
  const counts: Partial<Record<MessageTab, number>> = {
    headers: message.headers.length,
    attachments: message.attachments.length,
  };
  const disabled: Partial<Record<MessageTab, boolean>> = {
    html: !message.html,
    text: message.text === null,
  };

  return (
    <article className="message-view" aria-labelledby="message-subject">
      <header className="message-head">
        <MessageBack />
        <div className="message-head__top">
          <h1 id="message-subject" className="message-head__subject">
            {message.subject || "(no subject)"}
          </h1>
          <div className="message-head__actions">
            <a className="button" href={toMessageRawUrl(id, true)} download={`${id}.eml`}>
              Download .eml
            </a>
            <button type="button" className="button button--danger" onClick={() => onDelete(id)}>
              Delete
            </button>
          </div>
        </div>
        <dl className="message-head__fields">
          <dt>From</dt>
          <dd>{message.from ? formatAddress(message.from) : <span className="muted">(none)</span>}</dd>
          <dt>To</dt>
          <dd>
            {message.to.length ? (
              message.to.map(formatAddress).join(", ")
            ) : (
              <span className="muted">(none)</span>
            )}
          </dd>
          {message.cc.length > 0 && (
            <>
              <dt>Cc</dt>
              <dd>{message.cc.map(formatAddress).join(", ")}</dd>
            </>
          )}
          <dt>Received</dt>
          <dd>
            <time dateTime={message.receivedAt}>{formatDateTime(message.receivedAt)}</time>
            <span className="muted"> · {formatSize(message.size)}</span>
          </dd>
        </dl>
        {message.flags.length > 0 && (
          <p className="message-head__flags">
            {message.flags.map((flag) => (
              <span key={flag} className={`badge badge--flag badge--${flag}`} title={flagLabels[flag].title}>
                {flagLabels[flag].label}
              </span>
            ))}
          </p>
        )}
        {message.parseState === "failed" && (
          <p className="banner banner--error" role="alert">
            <strong>This message could not be parsed.</strong> {message.parseError ?? ""} The Raw tab shows
            exactly what was received.
          </p>
        )}
      </header>
      <div className="tabs" role="tablist" aria-label="Message views">
        {MESSAGE_TABS.map((name) => (
          <Link
            key={name}
            href={paths.message(id, name)}
            role="tab"
            id={`tab-${name}`}
            aria-selected={name === active}
            aria-controls="message-tabpanel"
            aria-disabled={disabled[name] || undefined}
            className={`tab${disabled[name] ? " tab--disabled" : ""}`}
            tabIndex={name === active ? 0 : -1}
            onKeyDown={(event) => {
              const index = MESSAGE_TABS.indexOf(name);
              const delta = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
              if (!delta) return;
              event.preventDefault();
              const next = MESSAGE_TABS[
                (index + delta + MESSAGE_TABS.length) % MESSAGE_TABS.length
              ] as MessageTab;
              navigate(paths.message(id, next), { replace: true });
              document.getElementById(`tab-${next}`)?.focus();
            }}
            onClick={(event) => {
              event.preventDefault();
              navigate(paths.message(id, name), { replace: true });
            }}
          >
            {tabLabels[name]}
            {counts[name] ? <span className="tab__count">{counts[name]}</span> : null}
          </Link>
        ))}
      </div>
      <div className="tabpanel" role="tabpanel" id="message-tabpanel" aria-labelledby={`tab-${active}`}>
        {active === "html" && <HtmlTab message={message} />}
        {active === "text" && <TextTab message={message} />}
        {active === "headers" && <HeadersTab message={message} />}
        {active === "raw" && <RawTab id={id} />}
        {active === "attachments" && <AttachmentsTab message={message} />}
        {active === "envelope" && <EnvelopeTab message={message} />}
      </div>
    </article>
  );
}

function MessageBack() {
  return (
    <Link href={paths.inbox()} className="back-link">
      ← Inbox
    </Link>
  );
}
