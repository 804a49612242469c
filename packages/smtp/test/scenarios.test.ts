/**
 * Every transcript file in test/scenarios runs twice (STYLE.md item 6): against the engine in memory,
 * fed the same bytes, and against the real listener over a socket on 127.0.0.1. Both must produce the
 * same replies, the same close and the same deliveries. Test names are the files' RFC titles.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { openEngineHarness } from "./support/engine-harness.ts";
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
