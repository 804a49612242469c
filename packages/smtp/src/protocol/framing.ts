/**
 * Framing of the SMTP byte stream, knowing nothing of verbs:
 * - command lines (RFC 5321 section 4.5.3.1.4: at most 512 octets including CRLF), found with
 *   Buffer.indexOf; an over-long line is discarded as it arrives, never buffered;
 * - DATA content (RFC 5321 section 4.5.2): dot-unstuffing, and the end of data recognised ONLY as
 *   CRLF "." CRLF. A bare LF or bare CR followed by a dot never ends the data (SMTP smuggling, the
 *   "five variants"): those bytes stay in the content and are counted by the content scanner.
 *
 * Invariants: the decoders keep at most a few bytes of state between chunks and hand content out as
 * views (`subarray`) of the input chunks, so content is never copied here. No I/O.
 */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const CRLF_DOT = Buffer.from("\r\n.", "latin1");
const CR_ONLY = Buffer.from([CR]);

/** RFC 5321 section 4.5.3.1.4: the maximum total length of a command line including the CRLF. */
export const MAX_COMMAND_LINE = 512;
/** RFC 4954 section 4: a SASL continuation line may be up to 12288 octets. */
export const MAX_SASL_LINE = 12288;

/** Where the DATA decoder stands at a chunk boundary. */
type DotState =
  /** Inside a line; the previous content byte is not a CR. */
  | "mid"
  /** The previous content byte is a CR (already emitted). */
  | "cr"
  /** At the start of a line: the previous content bytes are CRLF (or the content just began). */
  | "line-start"
  /** Saw "." at the start of a line; the dot is dropped (stuffing or terminator). */
  | "dot"
  /** Saw "." CR at the start of a line; the CR is held back until we know whether LF follows. */
  | "dot-cr";

/** Decodes DATA content: dot-unstuffing and end-of-data detection across arbitrary chunk splits. */
export interface DotDecoder {
  /**
   * Decode `chunk` from `start`. Content segments are passed to `onContent` in order (views of the
   * chunk). Returns the index just past the terminating CRLF.CRLF, or -1 when the content continues.
   */
  decode(chunk: Buffer, start: number, onContent: (segment: Buffer) => void): number;
  /** Forget everything: the next byte is the first of a new message. */
  reset(): void;
}

/** Create a DATA decoder positioned at the start of a message. */
export function createDotDecoder(): DotDecoder {
  let state: DotState = "line-start";
  return {
    reset() {
      state = "line-start";
    },
    decode(chunk, start, onContent) {
      const n = chunk.length;
      let i = start;
      let seg = start;
      while (i < n) {
        switch (state) {
          case "mid": {
            const j = chunk.indexOf(CRLF_DOT, i);
            if (j !== -1) {
              i = j + 2;
              state = "line-start";
              break;
            }
            const scanStart = i;
            i = n;
            if (chunk[n - 1] === CR) state = "cr";
            else if (chunk[n - 1] === LF && n - 2 >= scanStart && chunk[n - 2] === CR) state = "line-start";
            else state = "mid";
            break;
          }
          case "cr":
            if (chunk[i] === LF) {
              i++;
              state = "line-start";
            } else {
              state = "mid";
            }
            break;
          case "line-start":
            if (chunk[i] === DOT) {
              if (i > seg) onContent(chunk.subarray(seg, i));
              i++;
              seg = i;
              state = "dot";
            } else {
              state = "mid";
            }
            break;
          case "dot":
            if (chunk[i] === CR) {
              if (i > seg) onContent(chunk.subarray(seg, i));
              i++;
              seg = i;
              state = "dot-cr";
            } else {
              state = "mid";
            }
            break;
          case "dot-cr":
            if (chunk[i] === LF) {
              // Everything before the "." was emitted when the dot was seen; "." CR LF is dropped.
              state = "line-start";
              return i + 1;
            }
            // "." CR not followed by LF: the dot was stuffing, the CR is content (a bare CR).
            onContent(CR_ONLY);
            state = "mid";
            break;
        }
      }
      if (n > seg) onContent(chunk.subarray(seg, n));
      return -1;
    },
  };
}
