/**
 * The structured rejection a backend throws (STYLE.md item 4, go-smtp's SMTPError): the engine turns
 * it into exactly this reply. No I/O.
 */

/** Throw from `SmtpBackend.deliver` (or `authenticate`) to send a specific reply. */
export class SmtpReplyError extends Error {
  /** A 4xx or 5xx reply code, e.g. 550. */
  readonly code: number;
  /** The RFC 3463 enhanced status code, e.g. "5.7.1". */
  readonly enhancedCode: string;
  /** The reply text; "\n" separates the lines of a multi-line reply. */
  readonly text: string;

  constructor(code: number, enhancedCode: string, text: string) {
    super(`${code} ${enhancedCode} ${text}`);
    this.name = "SmtpReplyError";
    this.code = code;
    this.enhancedCode = enhancedCode;
    this.text = text;
  }
}

/** True for an `SmtpReplyError`, also one from another copy of this module. */
export function isSmtpReplyError(error: unknown): error is SmtpReplyError {
  if (error instanceof SmtpReplyError) return true;
  if (typeof error !== "object" || error === null) return false;
  const e = error as Partial<SmtpReplyError>;
  return (
    e.name === "SmtpReplyError" &&
    typeof e.code === "number" &&
    e.code >= 400 &&
    e.code <= 599 &&
    typeof e.enhancedCode === "string" &&
    typeof e.text === "string"
  );
}
