/**
 * The replies the tests expect, named once for all of them (STYLE.md item 5, aiosmtpd's
 * testing/statuscodes.py). Each matches the start of a reply line: the code and the RFC 3463 enhanced
 * status code where the RFCs fix one; reply texts are free. Scenario files spell the same codes out,
 * with `*` for the free text.
 */
export const EXPECTED_REPLY = {
  /** RFC 5321 section 4.2.5 / RFC 2034: 221 with 2.0.0 after QUIT. */
  closing: /^221 2\.0\.0 /,
  /** RFC 3207 section 4: ready to start TLS. */
  readyForTls: /^220 2\.0\.0 /,
  /** RFC 5321 section 3.8: service not available, closing (any 4.x.x). */
  serviceClosing: /^421 4\.\d{1,3}\.\d{1,3} /,
  /** RFC 3463: 4.4.2 bad connection (our idle timeout). */
  idleTimeout: /^421 4\.4\.2 /,
  /** The backend failed with something other than SmtpReplyError: 451 4.3.0. */
  localError: /^451 4\.3\.0 /,
  /** RFC 3463 4.5.3: too many recipients. */
  tooManyRecipients: /^452 4\.5\.3 /,
  /** RFC 1870 / RFC 3463 5.3.4: message too big for system. */
  messageTooBig: /^552 5\.3\.4 /,
  /** RFC 4954 section 6: authentication credentials invalid. */
  authFailed: /^535 5\.7\.8 /,
} as const;
