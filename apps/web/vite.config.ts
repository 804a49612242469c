import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The server (apps/server) serves dist/ at "/" and the API at /api on port 8025; in development Vite
// proxies /api (HTTP and the websocket) to it, so the app always talks to same-origin URLs.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    assetsDir: "assets",
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    proxy: {
      "/api": { target: "http://127.0.0.1:8025", ws: true, changeOrigin: false },
    },
  },
  test: {
    name: "web",
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
  },
});
