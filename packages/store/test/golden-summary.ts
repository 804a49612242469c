/**
 * What the golden files record of each real-world fixture: the fields a reviewer can check against
 * the .eml by eye. Shared by the golden test and scripts/generate-golden.ts.
 */
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { MessageDetail } from "@mailpen/shared";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root (packages/store/test -> ../../..). */
export const REPO_ROOT = path.resolve(here, "../../..");
/** The real-world fixtures, byte-exact copies of the project's shared set (fixtures/eml/SOURCES.md). */
export const FIXTURES_DIR = path.resolve(REPO_ROOT, "fixtures/eml");
export const GOLDEN_DIR = path.join(here, "golden");

export function listFixtures(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith(".eml"))
    .sort();
}

export function toGolden(raw: Buffer, detail: MessageDetail) {
  return {
    rawSha256: createHash("sha256").update(raw).digest("hex"),
    size: detail.size,
    parseState: detail.parseState,
    parseError: detail.parseError,
    flags: detail.flags,
    subject: detail.subject,
    from: detail.from,
    to: detail.to,
    cc: detail.cc,
    date: detail.date,
    messageIdHeader: detail.messageIdHeader,
    hasText: detail.hasText,
    hasHtml: detail.hasHtml,
    attachmentCount: detail.attachmentCount,
    attachments: detail.attachments.map((a) => ({
      partId: a.partId,
      filename: a.filename,
      contentType: a.contentType,
      disposition: a.disposition,
      size: a.size,
      contentId: a.contentId,
      checksum: a.checksum,
    })),
    headerCount: detail.headers.length,
    snippet: detail.snippet,
  };
}
