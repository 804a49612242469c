/**
 * The streaming seam (`backend.openContent`): content handed to a sink as it arrives must be exactly
 * the bytes the buffered path (`deliver` with `raw`) would hold, at every split of the input; a
 * transaction that does not complete gets `abort`, never `end`; the 250 waits for `end`, whose
 * rejection chooses the reply. In memory through the engine, and over real sockets.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { DataSummary } from "@mailpen/shared";
import {
  createMemorySession,
  createSmtpServer,
  SmtpReplyError,
  type SmtpBackend,
  type SmtpContentInfo,
  type SmtpDelivery,
  type SmtpServer,
  type SmtpSessionEnd,
} from "../src/index.ts";
import { createClientPool } from "./support/raw-client.ts";

interface SinkLog {
  info: SmtpContentInfo;
  chunks: Buffer[];
  ended: DataSummary | null;
  aborted: string | null;
}

/** A backend with a sink that copies what it is given; `end` behaves as `onEnd` says. */
function sinkBackend(
  options: {
    onEnd?: () => Promise<void>;
    onWrite?: (chunk: Buffer) => void | Promise<void>;
  } = {},
) {
  const sinks: SinkLog[] = [];
  const deliveries: SmtpDelivery[] = [];
  const ended: SmtpSessionEnd[] = [];
  const waiters: Array<() => void> = [];
  const backend: SmtpBackend = {
    sessionStarted: () => undefined,
    transcriptAppended: () => undefined,
    deliver: async (delivery) => {
      deliveries.push(delivery);
    },
    openContent: (info) => {
      const log: SinkLog = { info, chunks: [], ended: null, aborted: null };
      sinks.push(log);
      return {
        write: (chunk) => {
          log.chunks.push(Buffer.from(chunk));
          return options.onWrite?.(chunk);
        },
        end: async (summary) => {
          log.ended = summary;
          await options.onEnd?.();
        },
        abort: (reason) => {
          log.aborted = reason;
        },
      };
    },
    sessionEnded: (session) => {
      ended.push(session);
      for (const wake of waiters.splice(0)) wake();
    },
  };
  const waitEnded = async () => {
    while (ended.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
    return ended[0];
  };
  return { backend, sinks, deliveries, waitEnded };
}

function bufferingBackend() {
  const deliveries: SmtpDelivery[] = [];
  const backend: SmtpBackend = {
    sessionStarted: () => undefined,
    transcriptAppended: () => undefined,
    deliver: async (delivery) => {
      deliveries.push(delivery);
    },
    sessionEnded: () => undefined,
  };
  return { backend, deliveries };
}

const ENVELOPE = "EHLO c.test\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\n";
/** Content with stuffed dots, a bare CR and bare LF before dots (smuggling shapes), 8-bit octets. */
const WIRE_CONTENT = Buffer.from(
  "Subject: t\r\n\r\n..leading dot\r\n.\r.x\r\nline\n.\r\nbare\r.\r\n\xe9t\xe9\r\n..\r\n...\r\nend\r\n.\r\n",
  "latin1",
);

function ids() {
  let n = 0;
  return () => `id${++n}`;
}

async function buffered(wire: Buffer): Promise<Buffer> {
  const { backend, deliveries } = bufferingBackend();
  const session = createMemorySession(backend, { newId: ids() });
  await session.start();
  await session.send(ENVELOPE, "DATA\r\n", wire);
  const raw = deliveries[0]?.raw;
  if (raw === undefined) throw new Error("no delivery");
  return raw;
}

describe("content sink, in memory", () => {
  it("hands over exactly the buffered path's bytes at every split offset of DATA content", async () => {
    const expected = await buffered(WIRE_CONTENT);
    expect(expected.includes(Buffer.from("\r\n.leading dot"))).toBe(true);
    for (let split = 0; split <= WIRE_CONTENT.length; split++) {
      const { backend, sinks, deliveries } = sinkBackend();
      const session = createMemorySession(backend, { newId: ids() });
      await session.start();
      const out = await session.send(
        ENVELOPE,
        "DATA\r\n",
        WIRE_CONTENT.subarray(0, split),
        WIRE_CONTENT.subarray(split),
      );
      expect(out, `split ${split}`).toContain("250 2.0.0 Ok: queued as id2");
      expect(deliveries).toHaveLength(0);
      expect(sinks).toHaveLength(1);
      expect(Buffer.concat(sinks[0]?.chunks ?? []).equals(expected), `split ${split}`).toBe(true);
      expect(sinks[0]?.ended?.bytes).toBe(expected.length);
      expect(sinks[0]?.aborted).toBeNull();
    }
  });

  it("streams BDAT chunks in order and gives the open info the message id of the 250", async () => {
    const { backend, sinks } = sinkBackend();
    const session = createMemorySession(backend, { newId: ids() });
    await session.start();
    const out = await session.send(ENVELOPE, "BDAT 5\r\nabcde", "BDAT 3 LAST\r\nf", "gh");
    expect(out).toContain("250 2.0.0 Ok: queued as id2");
    expect(sinks[0]?.info).toMatchObject({ id: "id2", sessionId: "id1" });
    expect(sinks[0]?.info.envelope).toMatchObject({
      transport: "BDAT",
      rcptTo: [{ address: "b@example.com" }],
    });
    expect(Buffer.concat(sinks[0]?.chunks ?? []).toString()).toBe("abcdefgh");
  });

  it("aborts on RSET between BDAT chunks and on a message over the size limit (552)", async () => {
    const { backend, sinks } = sinkBackend();
    const session = createMemorySession(backend, { newId: ids(), maxMessageSize: 10 });
    await session.start();
    await session.send(ENVELOPE, "BDAT 4\r\nabcd", "RSET\r\n");
    expect(sinks[0]?.aborted).toBe("transaction reset");
    const out = await session.send(
      "MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n",
      "0123456789abcdef\r\n.\r\n",
    );
    expect(out).toMatch(/552 5\.3\.4/);
    expect(sinks[1]?.aborted).toBe("message over the size limit");
    expect(sinks.every((sink) => sink.ended === null)).toBe(true);
  });

  it("a rejection of end() with SmtpReplyError is the reply; a failing write becomes 451", async () => {
    const rejecting = sinkBackend({
      onEnd: () => Promise.reject(new SmtpReplyError(550, "5.7.1", "No thanks")),
    });
    const first = createMemorySession(rejecting.backend, { newId: ids() });
    await first.start();
    expect(await first.send(ENVELOPE, "DATA\r\n", "x\r\n.\r\n")).toContain("550 5.7.1 No thanks\r\n");

    const failing = sinkBackend({
      onWrite: () => {
        throw new Error("disk full");
      },
    });
    const second = createMemorySession(failing.backend, { newId: ids() });
    await second.start();
    expect(await second.send(ENVELOPE, "DATA\r\n", "x\r\n.\r\n")).toMatch(/451 4\.3\.0/);
    expect(failing.sinks[0]?.aborted).toBe("content sink failed");
    expect(failing.sinks[0]?.ended).toBeNull();
  });
});

describe("content sink, over a socket", () => {
  const servers: SmtpServer[] = [];
  const pool = createClientPool();
  afterEach(async () => {
    pool.closeAll();
    await Promise.all(servers.splice(0).map((server) => server.close({ graceMs: 0 })));
  });

  async function start(backend: SmtpBackend, server = listening(backend)) {
    const { port } = await server;
    const client = await pool.connect(port);
    expect((await client.readReply()).code).toBe(220);
    expect((await client.command("EHLO c.test")).code).toBe(250);
    expect((await client.command("MAIL FROM:<a@example.com>")).code).toBe(250);
    expect((await client.command("RCPT TO:<b@example.com>")).code).toBe(250);
    expect((await client.command("DATA")).code).toBe(354);
    return client;
  }

  async function listening(backend: SmtpBackend) {
    const server = createSmtpServer(backend, {
      hostname: "mx.test",
      logger: { warn: () => {}, error: () => {} },
    });
    servers.push(server);
    return server.listen({ port: 0, host: "127.0.0.1" });
  }

  it("hands views of one read buffer shared by every connection (a sink copies what it keeps)", async () => {
    const memory: ArrayBufferLike[] = [];
    const { backend, sinks } = sinkBackend({ onWrite: (chunk) => void memory.push(chunk.buffer) });
    const server = listening(backend);
    const one = await start(backend, server);
    const two = await start(backend, server);
    await one.write("Subject: one\r\n\r\nfirst\r\n.\r\n");
    expect((await one.readReply()).code).toBe(250);
    await two.write("Subject: two\r\n\r\nsecond\r\n.\r\n");
    expect((await two.readReply()).code).toBe(250);
    expect(sinks.map((sink) => Buffer.concat(sink.chunks).toString("latin1"))).toEqual([
      "Subject: one\r\n\r\nfirst\r\n",
      "Subject: two\r\n\r\nsecond\r\n",
    ]);
    expect(memory).toHaveLength(2);
    expect(memory[0]).toBe(memory[1]);
  });

  it("applies backpressure from write() and replies 250 only after end() resolved", async () => {
    let releaseEnd = () => {};
    const endGate = new Promise<void>((resolve) => (releaseEnd = resolve));
    let writes = 0;
    const { backend, sinks } = sinkBackend({
      // Every write settles a little later: reading must pause and resume without losing bytes.
      onWrite: () => new Promise<void>((resolve) => setImmediate(resolve)).then(() => void writes++),
      onEnd: () => endGate,
    });
    const client = await start(backend);
    const line = `${"x".repeat(76)}\r\n`;
    const body = Buffer.from(`Subject: big\r\n\r\n${line.repeat(20_000)}`);
    await client.write(Buffer.concat([body, Buffer.from(".\r\n")]));
    const pending = client.readReply();
    while (sinks[0]?.ended == null) await new Promise((resolve) => setTimeout(resolve, 5));
    let replied = false;
    void pending.then(() => (replied = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(replied).toBe(false);
    releaseEnd();
    expect((await pending).code).toBe(250);
    expect(writes).toBeGreaterThan(1);
    expect(Buffer.concat(sinks[0]?.chunks ?? []).equals(body)).toBe(true);
  });

  it("aborts the sink when the client vanishes mid-DATA, and never ends it", async () => {
    const { backend, sinks, waitEnded } = sinkBackend();
    const client = await start(backend);
    await client.write("Subject: half\r\n\r\npart of a body");
    while ((sinks[0]?.chunks.length ?? 0) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    client.close();
    const ended = await waitEnded();
    expect(ended?.outcome).toBe("client-closed");
    expect(sinks[0]?.aborted).toMatch(/^connection closed/);
    expect(sinks[0]?.ended).toBeNull();
  });
});
