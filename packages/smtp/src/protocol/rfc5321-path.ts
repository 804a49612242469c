/**
 * Parser for the arguments of MAIL and RCPT, after RFC 5321 section 4.1.2 (with RFC 6531 for UTF-8):
 *
 *   Reverse-path   = Path / "<>"
 *   Forward-path   = Path
 *   Path           = "<" [ A-d-l ":" ] Mailbox ">"
 *   A-d-l          = At-domain *( "," At-domain )   ; source route: MUST be accepted, SHOULD be ignored
 *   Mailbox        = Local-part "@" ( Domain / address-literal )
 *   Local-part     = Dot-string / Quoted-string
 *   Quoted-string  = DQUOTE *QcontentSMTP DQUOTE
 *   Mail-parameters = esmtp-param *(SP esmtp-param)
 *   esmtp-param    = esmtp-keyword ["=" esmtp-value]
 *   esmtp-keyword  = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
 *   esmtp-value    = 1*(%d33-60 / %d62-126)          ; RFC 6531 also allows UTF-8 here
 *
 * Lenient where clients commonly are (spaces after the colon, "postmaster" without a domain, any
 * UTF-8 in the local part and domain); strict where ambiguity would hide a bug (angle brackets
 * required, no spaces or controls inside the path). This file performs no I/O.
 */
import type { EsmtpParams } from "@mailpen/shared";

/** A parsed MAIL or RCPT argument. */
export interface ParsedPath {
  /** The mailbox without angle brackets or source route; "" for the null path `<>`. */
  address: string;
  params: EsmtpParams;
}

/** Why an argument did not parse: the path itself, or one of its parameters. */
export interface PathError {
  error: "path" | "params";
  reason: string;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x20\x7f]/;
const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
// eslint-disable-next-line no-control-regex
const VALUE = /^[^=\x00-\x20\x7f]+$/;

/**
 * Parse `FROM:<path> params` / `TO:<path> params`. `keyword` is "FROM" or "TO"; `allowNull` admits
 * `<>` (MAIL only).
 */
export function parsePathArgument(
  arg: string,
  keyword: "FROM" | "TO",
  allowNull: boolean,
): ParsedPath | PathError {
  const head = arg.slice(0, keyword.length + 1);
  if (head.toUpperCase() !== `${keyword}:`) return { error: "path", reason: `expected ${keyword}:<address>` };
  let rest = arg.slice(keyword.length + 1).trimStart();
  if (!rest.startsWith("<")) return { error: "path", reason: "address must be enclosed in <>" };

  const end = findPathEnd(rest);
  if (end === -1) return { error: "path", reason: "missing closing >" };
  let inner = rest.slice(1, end);
  rest = rest.slice(end + 1);
  if (rest.length > 0 && !rest.startsWith(" ")) return { error: "path", reason: "garbage after address" };

  // A-d-l ":" source route (RFC 5321 section 4.1.2 and appendix C): accepted and ignored.
  if (inner.startsWith("@")) {
    const colon = inner.indexOf(":");
    if (colon === -1) return { error: "path", reason: "bad source route" };
    inner = inner.slice(colon + 1);
  }

  const address = inner;
  if (address === "") {
    if (!allowNull) return { error: "path", reason: "null path not allowed here" };
  } else {
    const problem = checkMailbox(address, keyword === "TO");
    if (problem !== null) return { error: "path", reason: problem };
  }

  const parsed = parseParams(rest);
  if ("error" in parsed) return parsed;
  return { address, params: parsed.params };
}

/** Index of the ">" closing the path that starts at rest[0] === "<", skipping quoted strings. */
function findPathEnd(rest: string): number {
  let quoted = false;
  for (let i = 1; i < rest.length; i++) {
    const c = rest[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ">") {
      return i;
    }
  }
  return -1;
}

/** Null when `address` is an acceptable Mailbox, else the reason. */
function checkMailbox(address: string, isRecipient: boolean): string | null {
  let local: string;
  let domain: string;
  if (address.startsWith('"')) {
    let i = 1;
    for (; i < address.length; i++) {
      const c = address[i];
      if (c === "\\") i++;
      else if (c === '"') break;
    }
    if (i >= address.length) return "unterminated quoted local part";
    local = address.slice(0, i + 1);
    const after = address.slice(i + 1);
    if (!after.startsWith("@")) {
      return after === "" && isRecipient ? null : "missing @domain";
    }
    domain = after.slice(1);
  } else {
    const at = address.lastIndexOf("@");
    if (at === -1) {
      // RFC 5321 section 4.5.1: "Postmaster" without a domain MUST be accepted as a recipient.
      return isRecipient && address.toLowerCase() === "postmaster" ? null : "missing @domain";
    }
    local = address.slice(0, at);
    domain = address.slice(at + 1);
    if (local === "") return "empty local part";
    if (CONTROL.test(local) || /[<>()[\]\\,;:@"]/.test(local)) return "invalid character in local part";
    if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) return "bad dots in local part";
  }
  if (domain === "") return "empty domain";
  if (domain.startsWith("[")) {
    if (!domain.endsWith("]") || CONTROL.test(domain)) return "bad address literal";
    return null;
  }
  if (CONTROL.test(domain) || /[<>()[\]\\,;:@"]/.test(domain)) return "invalid character in domain";
  if (domain.startsWith(".") || domain.endsWith(".") || domain.includes("..")) return "bad dots in domain";
  return local.length > 0 ? null : "empty local part";
}

/** Parse " KEY=value KEY2" into a map with upper-cased keys. */
export function parseParams(text: string): { params: EsmtpParams } | PathError {
  const params: EsmtpParams = {};
  for (const word of text.split(" ")) {
    if (word === "") continue;
    const eq = word.indexOf("=");
    const key = (eq === -1 ? word : word.slice(0, eq)).toUpperCase();
    if (!KEYWORD.test(key)) return { error: "params", reason: `bad parameter ${word}` };
    if (Object.hasOwn(params, key)) return { error: "params", reason: `duplicate parameter ${key}` };
    if (eq === -1) {
      params[key] = true;
    } else {
      const value = word.slice(eq + 1);
      if (!VALUE.test(value)) return { error: "params", reason: `bad value for ${key}` };
      params[key] = value;
    }
  }
  return { params };
}
