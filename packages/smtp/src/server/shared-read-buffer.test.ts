import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { adoptWithSharedReadBuffer } from "./shared-read-buffer.ts";

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const undo of cleanup.splice(0)) undo();
});

/** A server whose accepted sockets are adopted; each read is copied out with the ArrayBuffer it came in. */
async function adoptingServer() {
  const reads: Array<{ text: string; arrayBuffer: ArrayBufferLike }> = [];
  const adopted: net.Socket[] = [];
  const server = net.createServer({ pauseOnConnect: true }, (accepted) => {
    const socket = adoptWithSharedReadBuffer(accepted, function (chunk) {
      reads.push({ text: chunk.toString("latin1"), arrayBuffer: chunk.buffer });
      this.write(`echo ${chunk.length}\n`);
    });
    if (socket === null) throw new Error("the accepted socket's handle could not be taken");
    adopted.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.push(() => {
    for (const socket of adopted) socket.destroy();
    server.close();
  });
  return { port: (server.address() as net.AddressInfo).port, reads, adopted, server };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const client = net.connect(port, "127.0.0.1", () => resolve(client));
    client.once("error", reject);
    cleanup.push(() => client.destroy());
  });
}

function nextLine(client: net.Socket): Promise<string> {
  return new Promise((resolve) => client.once("data", (data: Buffer) => resolve(data.toString("latin1"))));
}

describe("adoptWithSharedReadBuffer", () => {
  it("reads every connection into one buffer, and the adopted socket still writes", async () => {
    const { port, reads, adopted } = await adoptingServer();
    const one = await connect(port);
    const two = await connect(port);
    one.write("first connection");
    expect(await nextLine(one)).toBe("echo 16\n");
    two.write("second");
    expect(await nextLine(two)).toBe("echo 6\n");
    expect(reads.map((read) => read.text)).toEqual(["first connection", "second"]);
    // The same memory for both connections: no buffer allocated per read.
    expect(reads[0]!.arrayBuffer).toBe(reads[1]!.arrayBuffer);
    expect(adopted.map((socket) => socket.remotePort).sort()).toEqual([one.localPort, two.localPort].sort());
  });

  it("leaves the server's connection count, so close does not wait for adopted sockets", async () => {
    const { port, server, adopted } = await adoptingServer();
    const client = await connect(port);
    client.write("x");
    await nextLine(client);
    expect(adopted).toHaveLength(1);
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 2_000);
      server.close(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    expect(closed).toBe(true);
    // The connection itself is still open and working.
    client.write("yz");
    expect(await nextLine(client)).toBe("echo 2\n");
  });

  it("returns null for a socket without a handle (the caller falls back to 'data' events)", () => {
    const socket = new net.Socket();
    expect(adoptWithSharedReadBuffer(socket, () => {})).toBeNull();
    socket.destroy();
  });
});
