import type { MessageDetail } from "@mailpen/shared";
import { formatSize } from "../../../lib/format-size.ts";
import { toMessagePartUrl } from "../api/get-message-part.ts";

/** Attachments and inline parts: name, type, size, a download link, and thumbnails for images. */
export function AttachmentsTab({ message }: { message: MessageDetail }) {
  if (message.attachments.length === 0) return <p className="muted">No attachments or inline parts.</p>;
  return (
    <ul className="attachments">
      {message.attachments.map((part) => {
        const url = toMessagePartUrl(message.id, part.partId);
        const name = part.filename ?? `part-${part.partId}`;
        const isImage = part.contentType.startsWith("image/") && part.contentType !== "image/svg+xml";
        return (
          <li key={part.partId} className="attachment">
            <div className="attachment__thumb" aria-hidden="true">
              {isImage ? (
                <img src={url} alt="" loading="lazy" />
              ) : (
                <span>{toExtension(name, part.contentType)}</span>
              )}
            </div>
            <div className="attachment__info">
              <span className="attachment__name">{name}</span>
              <span className="muted">
                {part.contentType} · {formatSize(part.size)}
                {part.disposition === "inline" ? " · inline" : ""}
                {part.contentId ? ` · cid:${part.contentId}` : ""}
              </span>
            </div>
            <a className="button" href={url} download={name} aria-label={`Download ${name}`}>
              Download
            </a>
          </li>
        );
      })}
    </ul>
  );
}

function toExtension(name: string, contentType: string): string {
  const dot = name.lastIndexOf(".");
  if (dot > 0 && name.length - dot <= 5) return name.slice(dot + 1).toUpperCase();
  return (contentType.split("/")[1] ?? "file").slice(0, 4).toUpperCase();
}
