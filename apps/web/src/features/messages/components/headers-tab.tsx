import { useState } from "react";
import type { MessageDetail, MessageHeader } from "@mailpen/shared";

/** A header field as a line "Name: raw value"; `raw` may hold the whole field or only its value. */
export function formatRawHeaderLine(header: MessageHeader): string {
  const hasName = header.raw.toLowerCase().startsWith(`${header.name.toLowerCase()}:`);
  return hasName ? header.raw : `${header.name}: ${header.raw}`;
}

/** Every header field in original order; decoded by default, as received with the toggle. */
export function HeadersTab({ message }: { message: MessageDetail }) {
  const [raw, setRaw] = useState(false);
  return (
    <div className="headers-tab">
      <label className="toggle">
        <input type="checkbox" checked={raw} onChange={(event) => setRaw(event.target.checked)} />
        Show as received (undecoded)
      </label>
      {message.headers.length === 0 ? (
        <p className="muted">No header fields were parsed.</p>
      ) : raw ? (
        <pre className="code-block">{message.headers.map(formatRawHeaderLine).join("\n")}</pre>
      ) : (
        <table className="headers-table">
          <caption className="visually-hidden">Header fields in original order</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {message.headers.map((header, index) => (
              <tr key={index}>
                <th scope="row">{header.name}</th>
                <td>{header.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
