/**
 * The full MIME parse of one stored message with mailparser, run off the ingest path (deferred,
 * see parse-queue.ts). Never throws: a failure comes back as `{ ok: false, error }` so the caller
 * records it and keeps the message.
 */
import { createHash } from "node:crypto";
import { simpleParser } from "mailparser";
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
}

export interface ParsedContent {
  subject: string | null;
  from: Address | null;
  to: Address[] | null;
  cc: Address[] | null;
  bcc: Address[];
  text: string | null;
  html: string | null;
  snippet: string;
  parts: ParsedPart[];
  /** Count of parts shown as attachments (inline parts referenced by the HTML are not counted). */
  attachmentCount: number;
}

export type ParseResult = { ok: true; content: ParsedContent } | { ok: false; error: string };

/** Parses a raw message in full. */
export async function parseMessageContent(raw: Buffer): Promise<ParseResult> {
  try {
    const mail = await simpleParser(raw, {
      checksumAlgo: "sha256",
      keepCidLinks: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
      maxHtmlLengthToParse: 2_000_000,
    });
    const parts = mail.attachments.map((a, i) => toParsedPart(a, i));
    const html = typeof mail.html === "string" ? mail.html : null;
    const text = typeof mail.text === "string" ? mail.text : null;
    return {
      ok: true,
      content: {
        subject: mail.subject ?? null,
        from: toAddresses(mail.from)[0] ?? null,
        to: mail.to === undefined ? null : toAddresses(mail.to),
        cc: mail.cc === undefined ? null : toAddresses(mail.cc),
        bcc: toAddresses(mail.bcc),
        text,
        html,
        snippet: toSnippet(text ?? ""),
        parts,
        attachmentCount: parts.filter((p) => p.disposition === "attachment").length,
      },
    };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function toParsedPart(a: Attachment, index: number): ParsedPart {
  const content = a.content;
  const inline =
    a.contentDisposition === "inline" || (a.related === true && a.contentDisposition !== "attachment");
  return {
    partId: a.partId ?? String(index + 1),
    filename: a.filename ?? null,
    contentType: a.contentType,
    disposition: inline ? "inline" : "attachment",
    size: content.length,
    contentId: a.cid ?? null,
    checksum: a.checksum || createHash("sha256").update(content).digest("hex"),
    content,
  };
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
