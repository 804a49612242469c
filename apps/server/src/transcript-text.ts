import type { SessionDetail, TranscriptEntry } from "@mailpen/shared";

/**
 * The plain-text transcript of /api/sessions/:id/transcript. Pure. One line per physical line:
 * the offset from the session start, then `C:` (client), `S:` (server) or `*:` (event), then the text.
 * Multi-line replies give one `S:` line each.
 */

const PREFIX: Record<TranscriptEntry["dir"], string> = { client: "C:", server: "S:", event: "*:" };

export function formatTranscriptLine(entry: TranscriptEntry): string[] {
  const offset = `+${Math.round(entry.atMs)}ms`.padStart(9);
  return entry.text.split("\n").map((line) => `${offset} ${PREFIX[entry.dir]} ${line}`);
}

export function formatTranscript(session: SessionDetail): string {
  const head = [
    `# session ${session.id}`,
    `# from ${session.remoteAddress}:${session.remotePort} to ${session.localAddress}:${session.localPort}`,
    `# started ${session.startedAt}${session.endedAt ? `, ended ${session.endedAt} (${session.outcome ?? "?"})` : ", in progress"}`,
  ];
  const body = session.transcript.flatMap(formatTranscriptLine);
  return `${[...head, ...body].join("\n")}\n`;
}
