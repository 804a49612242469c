/**
 * A minimal websocket client (RFC 6455) over a raw `net` socket, enough to receive Mailpen's pushes
 * on /api/ws: Node 20 has no WebSocket global without a flag, and the bench keeps its own client so
 * its cost is known. Text frames (also fragmented), ping -> pong, close. Client frames are masked
 * as the RFC requires. 127.0.0.1 only.
 */
import { randomBytes } from "node:crypto";
import net from "node:net";

export interface WsConnection {
  close(): void;
}

/** Connects and resolves after the 101 handshake; `onText` receives every text message. */
export function openWsClient(
  port: number,
  path: string,
  onText: (text: string) => void,
  timeoutMs = 10_000,
): Promise<WsConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1", noDelay: true });
    const key = randomBytes(16).toString("base64");
    let buffer: Buffer = Buffer.alloc(0);
    let upgraded = false;
    let fragments: Buffer[] = [];
    const timer = setTimeout(() => fail(new Error("websocket handshake timed out")), timeoutMs);

    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const send = (opcode: number, payload: Buffer): void => {
      // Control frames only (ping replies, close): payloads under 126 octets.
      const mask = randomBytes(4);
      const masked = Buffer.from(payload);
      for (let i = 0; i < masked.length; i++) masked[i] = masked[i]! ^ mask[i % 4]!;
      socket.write(Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | masked.length]), mask, masked]));
    };
    const connection: WsConnection = {
      close: () => {
        if (!socket.destroyed) send(0x8, Buffer.from([0x03, 0xe8]));
        socket.end();
        setTimeout(() => socket.destroy(), 200).unref();
      },
    };

    socket.on("connect", () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on("error", (error) => (upgraded ? undefined : fail(error)));
    socket.on("data", (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end === -1) return;
        const head = buffer.subarray(0, end).toString("latin1");
        if (!/^HTTP\/1\.1 101/.test(head)) return fail(new Error(`websocket upgrade refused: ${head}`));
        upgraded = true;
        clearTimeout(timer);
        buffer = buffer.subarray(end + 4);
        resolve(connection);
      }
      while (buffer.length >= 2) {
        const first = buffer[0]!;
        let length = buffer[1]! & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) return;
          length = buffer.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffer.length < 10) return;
          length = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffer.length < offset + length) return;
        const payload = buffer.subarray(offset, offset + length);
        buffer = buffer.subarray(offset + length);
        const opcode = first & 0x0f;
        if (opcode === 0x9) send(0xa, payload);
        else if (opcode === 0x8) socket.end();
        else if (opcode === 0x1 || opcode === 0x0) {
          fragments.push(Buffer.from(payload));
          if (first & 0x80) {
            const text = Buffer.concat(fragments).toString("utf8");
            fragments = [];
            onText(text);
          }
        }
      }
    });
  });
}
