import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { acceptWithSharedReadBuffer } from "./shared-read-buffer.ts";

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const undo of cleanup.splice(0)) undo();
});

/** A listening server whose accept is taken over; each read is copied out with its ArrayBuffer. */
async function takenOverServer() {
  const reads: Array<{ text: string; arrayBuffer: ArrayBufferLike }> = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer(() => {
    throw new Error("the server's own accept ran: the take-over did not happen");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const taken = acceptWithSharedReadBuffer(server, {
    onSocket: (socket) => sockets.push(socket),
    onChunk(chunk) {
      reads.push({ text: chunk.toString("latin1"), arrayBuffer: chunk.buffer });
      this.write(`echo ${chunk.length}\n`);
    },
    onError: (error) => {
      throw error;
    },
  });
  cleanup.push(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return { port: (server.address() as net.AddressInfo).port, reads, sockets, server, taken };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const client = net.connect(port, "127.0.0.1", () => resolve(client));
    client.once("error", reject);
    cleanup.push(() => client.destroy());
  });
}

function nextData(client: net.Socket): Promise<string> {
  return new Promise((resolve) => client.once("data", (data: Buffer) => resolve(data.toString("latin1"))));
}

describe("acceptWithSharedReadBuffer", () => {
  it("reads every connection into one buffer, and the sockets still write", async () => {
    const { port, reads, sockets, taken } = await takenOverServer();
    expect(taken).toBe(true);
    const one = await connect(port);
    const two = await connect(port);
    one.write("first connection");
    expect(await nextData(one)).toBe("echo 16\n");
    two.write("second");
    expect(await nextData(two)).toBe("echo 6\n");
    expect(reads.map((read) => read.text)).toEqual(["first connection", "second"]);
    // The same memory for both connections: no buffer allocated per read.
    expect(reads[0]!.arrayBuffer).toBe(reads[1]!.arrayBuffer);
    expect(sockets.map((socket) => socket.remotePort).sort()).toEqual([one.localPort, two.localPort].sort());
  });

  it("leaves the connections out of the server's count: close does not wait for them", async () => {
    const { port, server, sockets } = await takenOverServer();
    const client = await connect(port);
    client.write("x");
    await nextData(client);
    expect(sockets).toHaveLength(1);
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
    expect(await nextData(client)).toBe("echo 2\n");
  });

  it("takes nothing over from a server that is not listening (it accepts as usual)", () => {
    const server = net.createServer();
    const taken = acceptWithSharedReadBuffer(server, {
      onSocket: () => {},
      onChunk: () => {},
      onError: () => {},
    });
    expect(taken).toBe(false);
  });
});
