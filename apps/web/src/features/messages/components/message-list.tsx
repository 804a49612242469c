/**
 * The inbox rows, virtualised with a fixed row height: only what is in view is in the DOM, so
 * 100,000 messages scroll like 30. Paging is driven from here: nearing the end asks for more.
 */
import { useEffect, useRef } from "react";
import type { CSSProperties } from "react";
import type { MessageSummary } from "@mailpen/shared";
import { Link, paths } from "../../../app/router.tsx";
import { formatSize } from "../../../lib/format-size.ts";
import { formatDateTime, formatRelativeTime } from "../../../lib/format-time.ts";
import { useNow } from "../../../lib/use-now.ts";
import { useVirtualRows } from "../../../lib/use-virtual-rows.ts";
import { flagLabels, formatAddress, formatAddressList, formatAddressShort } from "./message-labels.ts";

export const MESSAGE_ROW_HEIGHT = 78;

export interface MessageListProps {
  messages: readonly MessageSummary[];
  selected: ReadonlySet<string>;
  fresh: ReadonlySet<string>;
  /** Index of the keyboard cursor. */
  cursor: number;
  openId: string | null;
  hasMore: boolean;
  loading: boolean;
  onToggleSelect: (id: string, range: boolean) => void;
  onCursor: (index: number) => void;
  onLoadMore: () => void;
}

export function MessageList(props: MessageListProps) {
  const { messages, cursor, hasMore, loading, onLoadMore } = props;
  const containerRef = useRef<HTMLDivElement>(null);
  const rowCount = messages.length + (hasMore ? 1 : 0);
  const { start, end, onScroll, scrollToIndex } = useVirtualRows(containerRef, rowCount, MESSAGE_ROW_HEIGHT);
  const now = useNow();

  useEffect(() => {
    if (cursor >= 0) scrollToIndex(cursor);
  }, [cursor, scrollToIndex]);

  // Cursor paging: when the rendered window reaches the end of what is loaded, fetch the next page.
  useEffect(() => {
    if (hasMore && !loading && end >= messages.length - 5) onLoadMore();
  }, [end, messages.length, hasMore, loading, onLoadMore]);

  const rows = [];
  for (let index = start; index < end; index++) {
    const message = messages[index];
    const style = { transform: `translateY(${index * MESSAGE_ROW_HEIGHT}px)`, height: MESSAGE_ROW_HEIGHT };
    if (!message) {
      rows.push(
        <div key="more" className="message-row message-row--more" style={style} role="listitem">
          Loading older messages…
        </div>,
      );
      continue;
    }
    rows.push(
      <MessageRow
        key={message.id}
        message={message}
        index={index}
        style={style}
        now={now}
        isSelected={props.selected.has(message.id)}
        isFresh={props.fresh.has(message.id)}
        isCursor={index === cursor}
        isOpen={message.id === props.openId}
        onToggleSelect={props.onToggleSelect}
        onCursor={props.onCursor}
      />,
    );
  }

  return (
    <div className="message-list" ref={containerRef} onScroll={onScroll}>
      <div
        className="message-list__spacer"
        role="list"
        aria-label="Messages"
        style={{ height: rowCount * MESSAGE_ROW_HEIGHT }}
      >
        {rows}
      </div>
    </div>
  );
}

interface MessageRowProps {
  message: MessageSummary;
  index: number;
  style: CSSProperties;
  now: number;
  isSelected: boolean;
  isFresh: boolean;
  isCursor: boolean;
  isOpen: boolean;
  onToggleSelect: (id: string, range: boolean) => void;
  onCursor: (index: number) => void;
}

function MessageRow({
  message,
  index,
  style,
  now,
  isSelected,
  isFresh,
  isCursor,
  isOpen,
  ...handlers
}: MessageRowProps) {
  const from = message.from ? formatAddressShort(message.from) : message.envelope.mailFrom || "<>";
  const recipients =
    message.to.length > 0
      ? message.to
      : message.envelope.rcptTo.map((r) => ({ name: "", address: r.address }));
  const className = [
    "message-row",
    message.read ? "" : "message-row--unread",
    isSelected ? "message-row--selected" : "",
    isFresh ? "message-row--fresh" : "",
    isCursor ? "message-row--cursor" : "",
    isOpen ? "message-row--open" : "",
  ]
    .filter(Boolean)
    .join(" ");
  return (
    <div className={className} style={style} role="listitem" data-id={message.id}>
      <input
        type="checkbox"
        className="message-row__check"
        checked={isSelected}
        aria-label={`Select message ${message.subject || "(no subject)"}`}
        onChange={(event) =>
          handlers.onToggleSelect(message.id, (event.nativeEvent as MouseEvent).shiftKey === true)
        }
        onClick={(event) => event.stopPropagation()}
      />
      <Link
        href={paths.message(message.id)}
        className="message-row__link"
        aria-current={isOpen ? "page" : undefined}
        onFocus={() => handlers.onCursor(index)}
        onClick={() => handlers.onCursor(index)}
      >
        <span className="message-row__line">
          {!message.read && <span className="unread-dot" aria-label="unread" />}
          <span className="message-row__from" title={message.from ? formatAddress(message.from) : undefined}>
            {from}
          </span>
          <time
            className="message-row__time"
            dateTime={message.receivedAt}
            title={formatDateTime(message.receivedAt)}
          >
            {formatRelativeTime(message.receivedAt, now)}
          </time>
        </span>
        <span className="message-row__line">
          <span className="message-row__subject">{message.subject || "(no subject)"}</span>
          {message.attachmentCount > 0 && (
            <span className="message-row__attachment" title={`${message.attachmentCount} attachment(s)`}>
              <PaperclipIcon />
              <span className="visually-hidden">{message.attachmentCount} attachments</span>
            </span>
          )}
          <span className="message-row__size">{formatSize(message.size)}</span>
        </span>
        <span className="message-row__line message-row__meta">
          <span className="message-row__to">
            <span className="visually-hidden">to </span>
            <span aria-hidden="true">→ </span>
            {formatAddressList(recipients) || "(no recipients)"}
          </span>
          <span className="message-row__snippet">{message.snippet}</span>
          {message.flags.map((flag) => (
            <span key={flag} className={`badge badge--flag badge--${flag}`} title={flagLabels[flag].title}>
              {flagLabels[flag].label}
            </span>
          ))}
        </span>
      </Link>
    </div>
  );
}

function PaperclipIcon() {
  return (
    <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      <path
        d="M10.5 4.5 5.8 9.2a1.2 1.2 0 0 0 1.7 1.7l5-5a2.6 2.6 0 0 0-3.7-3.7l-5.2 5.2a4 4 0 0 0 5.7 5.7L13.5 8"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.4"
        strokeLinecap="round"
      />
    </svg>
  );
}
