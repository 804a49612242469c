import { maildev } from "./maildev.ts";
import { mailpenFull } from "./mailpen-full.ts";
import { mailpenSmtp } from "./mailpen-smtp.ts";
import { smtpServer } from "./smtp-server.ts";
import { smtpSink } from "./smtp-sink.ts";
import type { ServerUnderTest } from "./server-under-test.ts";

/**
 * Every server in run order. Rounds walk this list, so runs interleave: Mailpen, a peer, the
 * engine, a peer, ... and a slow drift of the machine hits all of them alike.
 */
export const SERVERS: readonly ServerUnderTest[] = [mailpenFull, smtpSink, mailpenSmtp, smtpServer, maildev];
