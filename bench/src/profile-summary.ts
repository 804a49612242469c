/**
 * `tsx src/profile-summary.ts <file.cpuprofile> [top] [skipMs] [untilMs]`: self time by function and
 * by package, and inclusive time by function (the function and everything it called), of a V8 CPU
 * profile written by `pnpm bench -- --profile`, to explain where a missed target's time goes without
 * opening DevTools. `skipMs` leaves out the first milliseconds (module loading at start), `untilMs`
 * what comes after (the deferred parse once a load ended); the busy share per 250 ms printed first
 * shows where a load starts and ends.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a script URL belongs: an npm package, a workspace package, or Node itself. */
function ownerOf(url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(url);
  if (pkg) return pkg[1] ?? url;
  const workspace = /\/(packages|apps)\/([^/]+)\//.exec(url);
  if (workspace) return `@mailpen/${workspace[2]}`;
  if (url.startsWith("node:") || url === "") return url === "" ? "(native/gc/idle)" : "node";
  return url;
}

const file = process.argv[2];
if (!file) throw new Error("usage: profile-summary.ts <file.cpuprofile> [top]");
const top = Number(process.argv[3] ?? 25);
const skipMs = Number(process.argv[4] ?? 0);
const untilMs = Number(process.argv[5] ?? Infinity);
const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
// A function's name and place, once per node (the inclusive walk below asks for it per frame per sample).
const keyOfNode = new Map(
  profile.nodes.map((node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const place = url.replace(/^.*\/(node_modules|packages|apps)\//, "$1/");
    return [node.id, `${functionName || "(anonymous)"} ${place}:${lineNumber + 1}`];
  }),
);
const isIdle = (nodeId: number): boolean => nodes.get(nodeId)?.callFrame.functionName === "(idle)";

// Self and inclusive time from the samples themselves, so a leading window can be left out. A
// function counts once per sample however often it recurs on the stack.
const selfMs = new Map<number, number>();
const inclusive = new Map<string, number>();
const busyPerQuarter: number[] = [];
let at = 0;
let totalMs = 0;
profile.samples.forEach((nodeId, i) => {
  const delta = (profile.timeDeltas[i] ?? 0) / 1000;
  at += delta;
  const quarter = Math.floor(at / 250);
  busyPerQuarter[quarter] = (busyPerQuarter[quarter] ?? 0) + (isIdle(nodeId) ? 0 : delta);
  if (at < skipMs || at > untilMs) return;
  totalMs += delta;
  selfMs.set(nodeId, (selfMs.get(nodeId) ?? 0) + delta);
  const onStack = new Set<string>();
  for (let id: number | undefined = nodeId; id !== undefined; id = parentOf.get(id)) {
    if (id !== profile.nodes[0]?.id) onStack.add(keyOfNode.get(id)!);
  }
  for (const key of onStack) inclusive.set(key, (inclusive.get(key) ?? 0) + delta);
});
const byFunction = new Map<string, number>();
const byOwner = new Map<string, number>();
for (const node of profile.nodes) {
  const ms = selfMs.get(node.id) ?? 0;
  if (ms === 0) continue;
  const key = keyOfNode.get(node.id)!;
  byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  const owner = ownerOf(node.callFrame.url);
  byOwner.set(owner, (byOwner.get(owner) ?? 0) + ms);
}
const print = (title: string, map: Map<string, number>, n: number): void => {
  console.log(`\n${title}`);
  for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${ms.toFixed(0).padStart(8)} ms ${((ms / totalMs) * 100).toFixed(1).padStart(5)} %  ${key}`);
  }
};
console.log(
  `${file}: ${totalMs.toFixed(0)} ms profiled` +
    (skipMs ? ` after the first ${skipMs} ms` : "") +
    (Number.isFinite(untilMs) ? ` until ${untilMs} ms` : ""),
);
console.log(
  "busy % per 250 ms from the start: " +
    Array.from(busyPerQuarter, (ms = 0) => Math.round((ms / 250) * 100)).join(" "),
);
print("self time by owner", byOwner, 15);
print("self time by function", byFunction, top);
print("inclusive time by function (itself and what it called)", inclusive, top);
