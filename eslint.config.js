import { defineConfig } from "eslint/config";
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

// The dependency direction of ARCHITECTURE.md, enforced: an arrow is "may import", nothing else is allowed.
//   web ──(import type)──► shared ◄── smtp      server ──► smtp, store, shared      store ──► shared
const forbid = (...names) => ({
  "no-restricted-imports": [
    "error",
    {
      patterns: [
        ...names.map((name) => ({
          group: [name, `${name}/*`],
          message: "ARCHITECTURE.md forbids this import.",
        })),
        { group: ["@mailpen/*/src/*"], message: "Import a package through its index, never deep." },
      ],
    },
  ],
});

export default defineConfig(
  { ignores: ["**/dist/**", "**/node_modules/**", "bench/results/**", "e2e/screenshots/**"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["packages/shared/**"],
    rules: forbid("@mailpen/smtp", "@mailpen/store", "@mailpen/server", "@mailpen/web"),
  },
  {
    files: ["packages/smtp/**"],
    rules: forbid("@mailpen/store", "@mailpen/server", "@mailpen/web", "better-sqlite3", "fastify"),
  },
  {
    files: ["packages/store/**"],
    rules: forbid("@mailpen/smtp", "@mailpen/server", "@mailpen/web", "fastify", "@fastify/*", "ws"),
  },
  { files: ["apps/server/**"], rules: forbid("@mailpen/web") },
  {
    files: ["apps/web/**"],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...forbid("@mailpen/smtp", "@mailpen/store", "@mailpen/server"),
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@mailpen/shared",
              message: "web imports only types from shared.",
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
