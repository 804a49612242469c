/**
 * Every transcript file in test/scenarios runs twice (STYLE.md item 6): against the engine in memory,
 * fed the same bytes, and against the real listener over a socket on 127.0.0.1. Both must produce the
 * same replies, the same close and the same deliveries. Two more runs check that chunking never
 * matters: the engine fed per step, all at once and byte by byte, and the socket fed the whole input in
 * one write, all compared byte for byte. Test names are the files' RFC titles.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { openEngineHarness, runEngineSession } from "./support/engine-harness.ts";
import { createRecordingBackend } from "./support/recording-backend.ts";
import { loadScenario, type Scenario } from "./support/scenario-file.ts";
import { runScenario, type ScenarioTransport } from "./support/scenario-runner.ts";
import { createServerFixture, TEST_SERVER_OPTIONS } from "./support/server-fixture.ts";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "scenarios");
const scenarios: Scenario[] = readdirSync(dir)
  .filter((f) => f.endsWith(".txt"))
  .sort()
  .map((f) => loadScenario(path.join(dir, f)));

const fixture = createServerFixture();
afterEach(() => fixture.closeAll());

describe.each(scenarios.map((s) => [`${s.title} [${s.name}]`, s] as const))("%s", (_title, scenario) => {
  it("is well-formed: a title naming its RFC, replies to check, and an explicit close at the end", () => {
    expect(scenario.title).toMatch(/^RFC \d+/);
    expect(scenario.steps.filter((step) => step.kind === "expect").length).toBeGreaterThan(0);
    expect(scenario.steps[scenario.steps.length - 1]?.kind).toBe("closed");
  });

  const engineIt = scenario.socketOnly ? it.skip : scenario.knownBug.has("engine") ? it.fails : it;
  const socketIt = scenario.knownBug.has("socket") ? it.fails : it;

  engineIt("engine in memory", async () => {
    const backend = createRecordingBackend({ users: scenario.users });
    const engine = await openEngineHarness(backend, { ...TEST_SERVER_OPTIONS, ...scenario.options });
    const transport: ScenarioTransport = {
      send: (bytes) => engine.feed(bytes),
      readReplies: async (count) => engine.takeReplies(count),
      waitClosed: async () => {
        if (!engine.isClosed()) throw new Error("the engine did not close");
        return engine.takeReplies(Infinity);
      },
      finish: () => engine.clientClosed(),
    };
    await runScenario(scenario, transport, backend, "engine");
  });

  // RFC 5321 section 2.3.8 and RFC 2920: replies depend on the bytes, never on how they are chunked.
  const replayable = !scenario.socketOnly && !scenario.steps.some((step) => step.kind === "cram-md5");
  it.skipIf(!replayable)("engine: per step, all at once and byte by byte give identical bytes", async () => {
    const sends = scenario.steps.flatMap((step) => (step.kind === "send" ? [step.bytes] : []));
    const all = Buffer.concat(sends);
    const options = { ...TEST_SERVER_OPTIONS, ...scenario.options };
    const run = (chunks: Buffer[]) =>
      runEngineSession(chunks, options, createRecordingBackend({ users: scenario.users }));
    const perStep = await run(sends);
    const atOnce = await run([all]);
    const byteByByte = await run(Array.from({ length: all.length }, (_, i) => all.subarray(i, i + 1)));
    for (const [name, other] of [
      ["all at once", atOnce],
      ["byte by byte", byteByByte],
    ] as const) {
      expect(other.output.toString("latin1"), name).toBe(perStep.output.toString("latin1"));
      expect(
        other.backend.deliveries.map((d) => d.raw.toString("latin1")),
        name,
      ).toEqual(perStep.backend.deliveries.map((d) => d.raw.toString("latin1")));
    }
  });

  it.skipIf(!replayable)(
    "real socket, the whole input in one write after the greeting: the engine's bytes",
    async () => {
      const all = Buffer.concat(scenario.steps.flatMap((step) => (step.kind === "send" ? [step.bytes] : [])));
      const options = { ...TEST_SERVER_OPTIONS, ...scenario.options };
      const engine = await runEngineSession(
        [all],
        options,
        createRecordingBackend({ users: scenario.users }),
      );
      const started = await fixture.start({ server: scenario.options, backend: { users: scenario.users } });
      const client = await started.connect();
      await client.readReply();
      await client.write(all);
      await client.waitClosed();
      const ids = (text: string): string => text.replace(/queued as \S+/g, "queued as <id>");
      expect(ids(client.received().toString("latin1"))).toBe(ids(engine.output.toString("latin1")));
      await started.backend.waitForEnded(1);
      expect(started.backend.deliveries.map((d) => d.raw.toString("latin1"))).toEqual(
        engine.backend.deliveries.map((d) => d.raw.toString("latin1")),
      );
    },
  );

  socketIt("real socket", async () => {
    const started = await fixture.start({ server: scenario.options, backend: { users: scenario.users } });
    const client = await started.connect();
    const transport: ScenarioTransport = {
      send: (bytes) => client.write(bytes),
      readReplies: async (count) => (await client.readReplies(count, 3000)).map((r) => r.lines),
      waitClosed: async () => (await client.waitClosed(3000)).map((r) => r.lines),
      finish: async () => client.close(),
    };
    await runScenario(scenario, transport, started.backend, "socket");
  });
});
