#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine with Node 20 and runs Mailpen's whole test suite:
# typecheck, lint, format check, unit and integration tests, browser tests, the benchmark smoke run
# and the docker-compose validation. Idempotent: what is already installed is not installed again.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use: chromium (browser tests), swaks with TLS (a non-Node SMTP client),
# docker-compose (validates docker-compose.yml offline), postfix (smtp-sink, the benchmark's ceiling).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v swaks >/dev/null 2>&1 || need+=(swaks)
# swaks speaks TLS through these Perl modules, which are only "recommended" by its package.
perl -MNet::SSLeay -MIO::Socket::SSL -e1 >/dev/null 2>&1 || need+=(libnet-ssleay-perl libio-socket-ssl-perl)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
[ -x /usr/sbin/smtp-sink ] || command -v smtp-sink >/dev/null 2>&1 || need+=(postfix)
if [ "${#need[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing Debian packages: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# pnpm, pinned (corepack cannot verify pnpm 12 signatures on this registry, see TOOLCHAIN.md).
if [ "$(pnpm --version 2>/dev/null || true)" != "12.4.2" ]; then
  npm i -g -E pnpm@12.4.2 >/dev/null 2>&1
fi

# better-sqlite3 compiles from source here: node-gyp needs Node's own headers.
npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")"
export npm_config_nodedir
pnpm install --frozen-lockfile

exec pnpm test:all
