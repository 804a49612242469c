/**
 * Starts real listeners on 127.0.0.1 port 0 for a test and closes them all afterwards. Invariant:
 * every server and raw client created through a fixture is closed by `closeAll()`, which each test
 * file calls in afterEach.
 */
import { createSmtpServer } from "../../src/index.ts";
import type { SmtpServerOptions } from "../../src/options.ts";
import { createClientPool, type RawClient } from "./raw-client.ts";
import {
  createRecordingBackend,
  type RecordingBackend,
  type RecordingBackendOptions,
} from "./recording-backend.ts";

/** Options every test starts from: quiet logs, a fixed host name. */
export const TEST_SERVER_OPTIONS: SmtpServerOptions = {
  hostname: "mailpen.test",
  logger: { warn: () => undefined, error: () => undefined },
};

export interface StartedServer {
  server: ReturnType<typeof createSmtpServer>;
  backend: RecordingBackend;
  port: number;
  /** Set when started with `implicitTls: true`. */
  tlsPort: number | undefined;
  /** Opens a raw client to the plain port (or the TLS port with `{ implicitTls: true }`). */
  connect(options?: { implicitTls?: boolean }): Promise<RawClient>;
}

export interface ServerFixture {
  start(options?: {
    server?: SmtpServerOptions;
    backend?: RecordingBackendOptions;
    implicitTls?: boolean;
    /** Use this backend instead of a recording one. */
    withBackend?: RecordingBackend;
  }): Promise<StartedServer>;
  closeAll(): Promise<void>;
}

export function createServerFixture(): ServerFixture {
  const servers: Array<ReturnType<typeof createSmtpServer>> = [];
  const pool = createClientPool();
  return {
    async start(options = {}) {
      const backend = options.withBackend ?? createRecordingBackend(options.backend);
      const server = createSmtpServer(backend, { ...TEST_SERVER_OPTIONS, ...options.server });
      servers.push(server);
      const { port } = await server.listen({ port: 0, host: "127.0.0.1" });
      let tlsPort: number | undefined;
      if (options.implicitTls) {
        tlsPort = (await server.listen({ port: 0, host: "127.0.0.1", implicitTls: true })).port;
      }
      return {
        server,
        backend,
        port,
        tlsPort,
        connect: (o = {}) => {
          if (o.implicitTls && tlsPort === undefined) throw new Error("started without implicitTls");
          return pool.connect(o.implicitTls ? tlsPort! : port, o);
        },
      };
    },
    async closeAll() {
      pool.closeAll();
      await Promise.all(servers.splice(0).map((s) => s.close({ graceMs: 0 })));
    },
  };
}
