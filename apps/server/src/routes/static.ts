import { existsSync } from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { routeNotFound } from "../error-handler.ts";

/**
 * The built web app at `/`. Hashed files under /assets/ are cached for a year (their names change
 * with their content); index.html is revalidated every time. Any other GET outside /api gets
 * index.html (client-side routing). Without a build, a small page says how to make one.
 */

export interface StaticRouteOptions {
  /** Folder holding index.html and assets/ (apps/web/dist). */
  webRoot: string;
}

export const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mailpen</title></head>
<body><h1>Mailpen</h1><p>The web app is not built. Run <code>pnpm build</code> in the repository, then reload.
The API works meanwhile: <a href="/api/docs">/api/docs</a>.</p></body></html>
`;

const isApi = (url: string) => url === "/api" || url.startsWith("/api/") || url.startsWith("/api?");

export async function staticRoutes(app: FastifyInstance, { webRoot }: StaticRouteOptions): Promise<void> {
  const built = existsSync(path.join(webRoot, "index.html"));
  if (built) {
    await app.register(fastifyStatic, {
      root: webRoot,
      wildcard: false,
      index: ["index.html"],
      cacheControl: false,
      setHeaders(reply, filePath) {
        const relative = path.relative(webRoot, filePath).split(path.sep).join("/");
        reply.header(
          "cache-control",
          relative.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache",
        );
      },
    });
  } else {
    app.get(
      "/",
      {
        schema: {
          hide: true,
          response: { 200: { content: { "text/html": { schema: { type: "string" } } } } },
        },
      },
      async (_request, reply) =>
        reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").send(MISSING_BUILD_PAGE),
    );
  }

  app.setNotFoundHandler((request, reply) => {
    if ((request.method !== "GET" && request.method !== "HEAD") || isApi(request.url)) {
      return reply.code(404).send(routeNotFound(request));
    }
    if (!built) {
      return reply
        .type("text/html; charset=utf-8")
        .header("cache-control", "no-cache")
        .send(MISSING_BUILD_PAGE);
    }
    if (request.url.startsWith("/assets/")) return reply.code(404).send(routeNotFound(request));
    return reply.header("cache-control", "no-cache").sendFile("index.html");
  });
}
