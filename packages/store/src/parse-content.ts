/**
 * The full parse of one stored message, wherever it runs (the parse worker, or the main thread when
 * no worker can): our fast parse when it takes the message (simple-message-parse.ts: one text or
 * HTML part, or one of each), mailparser for everything else. Both give the same result for the
 * messages the fast parse takes; the fast one needs less time and far less memory (a 5 MB plain
 * text message: about 30 ms where mailparser takes 60 to 85 ms, 100 KB: 0.6 ms instead of 2.5 ms).
 * Never throws. `fastParseDeclined`: the caller already ran the fast parse and it declined.
 */
import { parseMessageContent, type ParseResult } from "./message-parse.ts";
import { parseSimpleMessage } from "./simple-message-parse.ts";

export async function parseContent(raw: Buffer, fastParseDeclined = false): Promise<ParseResult> {
  return (fastParseDeclined ? null : fastParse(raw)) ?? parseMessageContent(raw);
}

/** The fast parse's result, or null when it declines the message (or trips on it): mailparser's. */
export function fastParse(raw: Buffer): ParseResult | null {
  try {
    const content = parseSimpleMessage(raw);
    return content === null ? null : { ok: true, content };
  } catch {
    return null;
  }
}
