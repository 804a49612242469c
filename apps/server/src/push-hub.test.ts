import { afterEach, describe, expect, it } from "vitest";
import { openStore, type MailStore } from "@mailpen/store";
import { createPushHub, type PushClient } from "./push-hub.ts";

// The real store (in memory): its writes are what emit the events the hub relays.
let opened: MailStore[] = [];
function realStore(): MailStore {
  const store = openStore({ path: ":memory:", parseInWorker: false });
  opened.push(store);
  return store;
}
afterEach(async () => {
  await Promise.all(opened.map((store) => store.close()));
  opened = [];
});

/** One real write that emits `{"type":"messages.cleared"}`. */
const clearAll = (store: MailStore) => void store.deleteMessages();

function fakeClient(bufferedAmount = 0) {
  const client = {
    bufferedAmount,
    sent: [] as string[],
    terminated: false,
    send(data: string) {
      client.sent.push(data);
    },
    terminate() {
      client.terminated = true;
    },
  };
  return client satisfies PushClient;
}

describe("createPushHub", () => {
  it("sends every store event to every client, serialized once", () => {
    const store = realStore();
    const hub = createPushHub(store);
    const a = fakeClient();
    const b = fakeClient();
    hub.add(a);
    hub.add(b);
    clearAll(store);
    expect(a.sent).toEqual(['{"type":"messages.cleared"}']);
    expect(b.sent).toEqual(a.sent);
    hub.close();
  });

  it("drops a client over the buffer bound and one whose send throws, keeping the rest", () => {
    const store = realStore();
    const dropped: string[] = [];
    const hub = createPushHub(store, { maxBufferedBytes: 100, onDrop: (_c, reason) => dropped.push(reason) });
    const slow = fakeClient(101);
    const broken = {
      ...fakeClient(),
      send: () => {
        throw new Error("socket gone");
      },
    };
    const fine = fakeClient(100);
    [slow, broken, fine].forEach((c) => hub.add(c));
    clearAll(store);
    expect(dropped).toEqual(["slow client", "send failed"]);
    expect(slow.terminated).toBe(true);
    expect(fine.sent).toHaveLength(1);
    expect(hub.size).toBe(1);
    hub.close();
    expect(fine.terminated).toBe(true);
  });

  it("stops listening to the store when closed", () => {
    const store = realStore();
    const hub = createPushHub(store);
    hub.close();
    const late = fakeClient();
    hub.add(late);
    clearAll(store);
    expect(late.sent).toEqual([]);
  });

  it("writes the events of one tick to a client's transport between one cork and one uncork", async () => {
    const store = realStore();
    const hub = createPushHub(store);
    const log: string[] = [];
    const client = { ...fakeClient(), send: (data: string) => void log.push(`send ${data}`) };
    hub.add(client, { cork: () => void log.push("cork"), uncork: () => void log.push("uncork") });
    clearAll(store);
    clearAll(store);
    expect(log.at(-1)).not.toBe("uncork"); // still corked in this tick
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(log).toEqual([
      "cork",
      'send {"type":"messages.cleared"}',
      'send {"type":"messages.cleared"}',
      "uncork",
    ]);
    clearAll(store);
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(log.slice(4)).toEqual(["cork", 'send {"type":"messages.cleared"}', "uncork"]);
    hub.close();
  });
});
