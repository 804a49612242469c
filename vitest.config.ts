import { defineConfig } from "vitest/config";

// One run covers every package; each package has its own vitest config (environment, timeouts).
export default defineConfig({
  test: {
    projects: ["packages/shared", "packages/smtp", "packages/store", "apps/server", "apps/web"],
  },
});
