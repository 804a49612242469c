/**
 * Bundles a TypeScript bench child into one ES module with esbuild, so it runs with plain `node` as
 * the product's `pnpm start` runs its own bundle (apps/server/build.mjs): no tsx loader thread, no
 * compiling at start. Idle RSS and start-up are then Node's and the code's, not the loader's.
 *
 * Invariants:
 * - Output goes under bench/results/bundles/ (git-ignored), one file per child, rebuilt once per
 *   bench process (the sources may have changed since the last run), written beside and renamed
 *   into place so a half-written file is never run.
 * - esbuild is the catalog version, the one apps/server builds the product with.
 * - No minifying: function names stay readable in `--cpu-prof` profiles.
 */
import { mkdirSync, renameSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const outDir = fileURLToPath(new URL("../results/bundles/", import.meta.url));
const built = new Map<string, Promise<string>>();

/** Bundles `childFile` (once per bench process) and returns the path of the `.mjs` to run with node. */
export function bundleChild(childFile: URL): Promise<string> {
  const source = fileURLToPath(childFile);
  let bundle = built.get(source);
  if (bundle === undefined) {
    bundle = (async () => {
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
