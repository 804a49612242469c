import type { RunningServer } from "./child-process.ts";

export type ServerId = "mailpen" | "mailpen-smtp" | "smtp-sink" | "smtp-server" | "maildev";

/** One SMTP server the ingestion scenarios measure; each `start()` is a fresh process. */
export interface ServerUnderTest {
  id: ServerId;
  /** Shown in the report. */
  label: string;
  /** What it stands for in the comparison (ceiling, Node floor, nearest peer, ...). */
  role: string;
  /** Why it cannot run on this machine, or null when it can. */
  unavailableReason(): string | null;
  /** Starts a fresh process; `workDir` is an empty temporary folder it may write to. */
  start(workDir: string): Promise<RunningServer>;
  /** Whether it pushes message.created over a websocket at /api/ws. */
  pushesEvents: boolean;
}
