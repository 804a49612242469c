/**
 * A keep-alive HTTP/1.1 client for timing Mailpen's API from the bench process: node:http with one
 * persistent connection, so a latency sample is the request, not a TCP handshake. 127.0.0.1 only.
 */
import http from "node:http";

export interface HttpSample<T> {
  status: number;
  body: T;
  ms: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

export function getJson<T = unknown>(port: number, path: string, timeoutMs = 30_000): Promise<HttpSample<T>> {
  return get(port, path, timeoutMs, true) as Promise<HttpSample<T>>;
}

/** The status and time of a GET whose body is read to its end but not decoded (latency sampling). */
export function timeGet(
  port: number,
  path: string,
  timeoutMs = 30_000,
): Promise<Omit<HttpSample<never>, "body">> {
  return get(port, path, timeoutMs, false);
}

function get(port: number, path: string, timeoutMs: number, decode: boolean): Promise<HttpSample<unknown>> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const request = http.get({ host: "127.0.0.1", port, path, agent, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => {
        if (decode) chunks.push(chunk);
      });
      response.on("end", () => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        const status = response.statusCode ?? 0;
        if (!decode) return resolve({ status, body: undefined, ms });
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Not JSON: hand the text back.
        }
        resolve({ status, body, ms });
      });
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error(`GET ${path} timed out`)));
    request.on("error", reject);
  });
}

/** Polls GET /api/health until it answers `status: "ok"`; resolves with the time it took. */
export async function waitForHealth(port: () => number | null, deadlineMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < deadlineMs) {
    const current = port();
    if (current !== null) {
      try {
        const sample = await getJson<{ status?: string }>(current, "/api/health", 1_000);
        if (sample.status === 200 && sample.body.status === "ok") return performance.now() - start;
      } catch {
        // Not listening yet.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`health not OK within ${deadlineMs} ms`);
}

export function closeHttpClient(): void {
  agent.destroy();
}
