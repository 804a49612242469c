import type { MessageDetail } from "@mailpen/shared";

/** The plain-text body, wrapped, as React text (never interpreted as HTML). */
export function TextTab({ message }: { message: MessageDetail }) {
  if (message.text === null) return <p className="muted">This message has no text body.</p>;
  return <pre className="text-body">{message.text}</pre>;
}
