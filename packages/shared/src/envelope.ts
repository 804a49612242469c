/**
 * ESMTP parameters of MAIL FROM or RCPT TO (RFC 5321 section 4.1.2), keys upper-cased.
 * A keyword without a value (for example SMTPUTF8) maps to `true`.
 */
export type EsmtpParams = Record<string, string | true>;

/** One forward-path (RCPT TO) with its parameters (NOTIFY=, ORCPT=, ...). */
export interface EnvelopeRecipient {
  address: string;
  params: EsmtpParams;
}

/** How the message content was transferred. */
export type DataTransport = "DATA" | "BDAT";

/**
 * The SMTP envelope of one transaction: what the client said outside the message content.
 * Bcc recipients only exist here, never in the headers.
 */
export interface Envelope {
  /** Reverse-path without angle brackets; "" for the null sender `<>`. */
  mailFrom: string;
  mailParams: EsmtpParams;
  rcptTo: EnvelopeRecipient[];
  /** Client name from HELO/EHLO, if any was given. */
  heloName: string | null;
  /** AUTH user of the session when the message was sent. */
  authUser: string | null;
  /** True when the session had been upgraded with STARTTLS or arrived over implicit TLS. */
  tls: boolean;
  transport: DataTransport;
}
