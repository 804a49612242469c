# Mailpen: SMTP on 1025, inbox and API on 8025, SQLite in the /data volume.
# node:20-bookworm (not -slim): better-sqlite3 may need python3, make and g++ to compile.
FROM node:20-bookworm

ENV CI=true \
    npm_config_nodedir=/usr/local
RUN npm i -g -E pnpm@12.4.2

WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm build \
 && mkdir -p /data \
 && chown -R node:node /data

USER node
ENV MAILPEN_HOST=0.0.0.0 \
    MAILPEN_SMTP_PORT=1025 \
    MAILPEN_HTTP_PORT=8025 \
    MAILPEN_DB=/data/mailpen.sqlite
VOLUME ["/data"]
EXPOSE 1025 8025
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8025/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The production bundle `pnpm build` wrote (apps/server/build.mjs): plain node, no tsx at run time.
CMD ["node", "apps/server/dist/mailpen.mjs"]
