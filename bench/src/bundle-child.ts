/**
 * Bundles a TypeScript bench child into one ES module with esbuild, so it runs with plain `node` as
 * the product's `pnpm start` runs its own bundle (apps/server/build.mjs): no tsx loader thread, no
 * compiling at start. Idle RSS and start-up are then Node's and the code's, not the loader's.
 *
 * Invariants:
 * - Output goes under bench/results/bundles/ (git-ignored), one file per child, rebuilt once per
 *   bench process (the sources may have changed since the last run), written beside and renamed
 *   into place so a half-written file is never run.
 * - esbuild is the product's own (the catalog version that apps/server builds with), resolved through
 *   @mailpen/server, a dependency of the bench: the bench declares no esbuild of its own.
 * - No minifying: function names stay readable in `--cpu-prof` profiles.
 */
import { mkdirSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The part of esbuild's API used here (the bench has no esbuild types of its own). */
interface EsbuildApi {
  build(options: {
    entryPoints: string[];
    outfile: string;
    bundle: true;
    platform: "node";
    format: "esm";
    target: string;
    banner?: { js: string };
    logLevel: "warning";
  }): Promise<unknown>;
}

const outDir = fileURLToPath(new URL("../results/bundles/", import.meta.url));
const built = new Map<string, Promise<string>>();

async function loadEsbuild(): Promise<EsbuildApi> {
  const requireFromServer = createRequire(import.meta.resolve("@mailpen/server"));
  const entry = requireFromServer.resolve("esbuild");
  return (await import(pathToFileURL(entry).href)) as EsbuildApi;
}

/** Bundles `childFile` (once per bench process) and returns the path of the `.mjs` to run with node. */
export function bundleChild(childFile: URL): Promise<string> {
  const source = fileURLToPath(childFile);
  let bundle = built.get(source);
  if (bundle === undefined) {
    bundle = (async () => {
      const esbuild = await loadEsbuild();
      mkdirSync(outDir, { recursive: true });
      const outfile = path.join(outDir, `${path.basename(source, ".ts")}.mjs`);
      const partial = `${outfile}.${process.pid}.tmp.mjs`;
      await esbuild.build({
        entryPoints: [source],
        outfile: partial,
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        // Bundled CommonJS code calls require() for Node built-ins; an ES module has no require.
        banner: {
          js: 'import { createRequire as __benchCreateRequire } from "node:module"; const require = __benchCreateRequire(import.meta.url);',
        },
        logLevel: "warning",
      });
      renameSync(partial, outfile);
      return outfile;
    })();
    built.set(source, bundle);
  }
  return bundle;
}
