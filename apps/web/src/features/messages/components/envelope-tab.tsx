import type { EsmtpParams, MessageDetail } from "@mailpen/shared";
import { Link, paths } from "../../../app/router.tsx";

function formatParams(params: EsmtpParams): string {
  return Object.entries(params)
    .map(([key, value]) => (value === true ? key : `${key}=${value}`))
    .join(" ");
}

/**
 * What the client said outside the message: MAIL FROM and every RCPT TO (so Bcc recipients, which
 * exist only here, show), their ESMTP parameters, TLS, AUTH user, and the session that delivered it.
 */
export function EnvelopeTab({ message }: { message: MessageDetail }) {
  const { envelope } = message;
  const inHeaders = new Set([...message.to, ...message.cc].map((a) => a.address.toLowerCase()));
  return (
    <div className="envelope-tab">
      <table className="fields-table">
        <tbody>
          <tr>
            <th scope="row">MAIL FROM</th>
            <td>
              <code>&lt;{envelope.mailFrom}&gt;</code>
              {envelope.mailFrom === "" && <span className="muted"> null reverse-path</span>}
              {Object.keys(envelope.mailParams).length > 0 && (
                <code className="params"> {formatParams(envelope.mailParams)}</code>
              )}
            </td>
          </tr>
          <tr>
            <th scope="row">RCPT TO</th>
            <td>
              <ul className="rcpt-list">
                {envelope.rcptTo.map((rcpt, index) => (
                  <li key={index}>
                    <code>&lt;{rcpt.address}&gt;</code>
                    {Object.keys(rcpt.params).length > 0 && (
                      <code className="params"> {formatParams(rcpt.params)}</code>
                    )}
                    {!inHeaders.has(rcpt.address.toLowerCase()) && (
                      <span className="badge" title="In the envelope but not in To or Cc: a Bcc recipient">
                        Bcc
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            </td>
          </tr>
          <tr>
            <th scope="row">HELO / EHLO</th>
            <td>{envelope.heloName ?? <span className="muted">(none)</span>}</td>
          </tr>
          <tr>
            <th scope="row">TLS</th>
            <td>{envelope.tls ? "yes" : "no"}</td>
          </tr>
          <tr>
            <th scope="row">AUTH user</th>
            <td>{envelope.authUser ?? <span className="muted">(not authenticated)</span>}</td>
          </tr>
          <tr>
            <th scope="row">Transfer</th>
            <td>{envelope.transport}</td>
          </tr>
          <tr>
            <th scope="row">Session</th>
            <td>
              {message.sessionId ? (
                <Link href={paths.session(message.sessionId)}>View the SMTP session transcript</Link>
              ) : (
                <span className="muted">(not recorded)</span>
              )}
            </td>
          </tr>
          {message.messageIdHeader && (
            <tr>
              <th scope="row">Message-ID</th>
              <td>
                <code>{message.messageIdHeader}</code>
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
