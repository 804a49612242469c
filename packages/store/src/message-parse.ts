/**
 * The full MIME parse of one stored message with mailparser, run off the ingest path (deferred,
 * see parse-queue.ts). Never throws: a failure comes back as `{ ok: false, error }` so the caller
 * records it and keeps the message.
 */
import { createHash } from "node:crypto";
import type { AddressObject, Attachment } from "mailparser";
import type { Address, MessageHeader } from "@mailpen/shared";
import { findBodyStart, parseHeaderBlock, toSnippet } from "./header-scan.ts";
import { decodeEncodedWords } from "./rfc2047.ts";

/** One attachment or inline part with its decoded content. */
export interface ParsedPart {
  partId: string;
  filename: string | null;
  contentType: string;
  disposition: "attachment" | "inline";
  size: number;
  contentId: string | null;
  checksum: string;
  content: Buffer;
  /** Shown inside the HTML (related to it, or referenced by a cid: URL), so not counted as an attachment. */
  embedded: boolean;
}

export interface ParsedContent {
  subject: string | null;
  from: Address | null;
  to: Address[] | null;
  cc: Address[] | null;
  bcc: Address[];
  /**
   * The text and HTML bodies as UTF-8 bytes, not strings: a worker hands bytes over by transfer
   * (a string is copied), they are bound to SQLite as they are (a string is converted to UTF-8
   * first), and a large body never lands in the main thread's V8 heap, whose large-object space is
   * only given back by a full collection (with 5 MB bodies it held about 50 MB of them).
   */
  text: Buffer | null;
  html: Buffer | null;
  /**
   * The text to index: the text part, or the HTML reduced to text when there is none; at most
   * SEARCH_TEXT_LIMIT characters.
   */
  searchText: string;
  snippet: string;
  parts: ParsedPart[];
  /** Parts that are not embedded in the HTML (cid images of multipart/related are not counted). */
  attachmentCount: number;
}

export type ParseResult = { ok: true; content: ParsedContent } | { ok: false; error: string };

/** Characters of body text kept for the search index (the first 64 Ki). */
export const SEARCH_TEXT_LIMIT = 65_536;

/** Parses a raw message in full. */
export async function parseMessageContent(raw: Buffer): Promise<ParseResult> {
  try {
    // Loaded on the first parse, not with this module: the main thread imports this file for
    // parseMessageHeaders at start, and mailparser (with its charset tables) costs start-up time and
    // about 15 MB of RSS there while the parse worker does the parsing.
    const { simpleParser } = await import("mailparser");
    const mail = await simpleParser(raw, {
      checksumAlgo: "sha256",
      keepCidLinks: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
      // html-to-text is the slowest step of a parse and would make an HTML-only message look as if
      // it had a text part; searchable text of HTML comes from our cheaper htmlToPlainText instead.
      skipHtmlToText: true,
    });
    const html = typeof mail.html === "string" ? mail.html : null;
    const text = typeof mail.text === "string" && mail.text !== "" ? mail.text : null;
    const referenced = new Set(
      [...(html ?? "").matchAll(/cid:([^"'\s)>]+)/gi)].map((m) => safeDecode(m[1] ?? "").toLowerCase()),
    );
    const parts = mail.attachments.map((a, i) => toParsedPart(a, i, referenced));
    // Only the start of a long body is indexed: the index of a 5 MB body costs more than it finds.
    const searchText = (
      text ?? (html === null ? "" : htmlToPlainText(html.slice(0, SEARCH_TEXT_LIMIT * 4)))
    ).slice(0, SEARCH_TEXT_LIMIT);
    return {
      ok: true,
      content: {
        subject: mail.subject ?? null,
        from: toAddresses(mail.from)[0] ?? null,
        to: mail.to === undefined ? null : toAddresses(mail.to),
        cc: mail.cc === undefined ? null : toAddresses(mail.cc),
        bcc: toAddresses(mail.bcc),
        text: text === null ? null : Buffer.from(text, "utf8"),
        html: html === null ? null : Buffer.from(html, "utf8"),
        searchText,
        snippet: toSnippet(searchText),
        parts,
        attachmentCount: parts.filter((p) => !p.embedded).length,
      },
    };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function toParsedPart(a: Attachment, index: number, referenced: Set<string>): ParsedPart {
  const content = a.content;
  const embedded = a.related === true || (a.cid !== undefined && referenced.has(a.cid.toLowerCase()));
  const inline = embedded || a.contentDisposition === "inline";
  return {
    partId: a.partId ?? String(index + 1),
    filename: a.filename ?? null,
    contentType: a.contentType,
    disposition: inline ? "inline" : "attachment",
    size: content.length,
    contentId: a.cid ?? null,
    checksum: a.checksum || createHash("sha256").update(content).digest("hex"),
    content,
    embedded,
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/** A cheap HTML to text for snippets and the search index (not for display). */
export function htmlToPlainText(html: string): string {
  return html
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (all, e: string) => {
      if (e[0] === "#") {
        const code = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : " ";
      }
      return ENTITIES[e.toLowerCase()] ?? all;
    })
    .replace(/\s+/g, " ")
    .trim();
}

function toAddresses(value: AddressObject | AddressObject[] | undefined): Address[] {
  if (value === undefined) return [];
  const objects = Array.isArray(value) ? value : [value];
  const out: Address[] = [];
  for (const object of objects) {
    for (const entry of object.value) {
      if (entry.group)
        for (const member of entry.group)
          out.push({ name: member.name ?? "", address: member.address ?? "" });
      else out.push({ name: entry.name ?? "", address: entry.address ?? "" });
    }
  }
  return out.filter((a) => a.address !== "" || a.name !== "");
}

/** The header fields of a raw message in original order, decoded (RFC 2047) and as received. */
export function parseMessageHeaders(raw: Buffer): MessageHeader[] {
  const { headEnd } = findBodyStart(raw);
  return parseHeaderBlock(raw.subarray(0, headEnd)).map((h) => ({
    name: h.name,
    value: decodeEncodedWords(h.value),
    raw: h.value,
  }));
}
