#!/usr/bin/env bash
# Deploys one edgeprom tier: a wrangler environment from wrangler.toml
# (region-<name> or global). With --dry-run, bundles it into dist/<env> and prints the
# bundle size instead, which needs no Cloudflare account.
#
#   infra/deploy.sh global
#   infra/deploy.sh region-eu --dry-run
set -euo pipefail
cd "$(dirname "$0")/.."

env_name="${1:-}"
if [ -z "$env_name" ]; then
  echo "usage: infra/deploy.sh <wrangler env> [--dry-run]" >&2
  exit 2
fi
if ! grep -q "^\[env\.${env_name}\]" wrangler.toml; then
  echo "infra/deploy.sh: no [env.${env_name}] in wrangler.toml" >&2
  exit 2
fi

if [ "${2:-}" = "--dry-run" ]; then
  out="dist/${env_name}"
  rm -rf "$out"
  WRANGLER_SEND_METRICS=false npx wrangler deploy --dry-run --env "$env_name" --outdir "$out" | grep -E "Total Upload" || true
  exit 0
fi
WRANGLER_SEND_METRICS=false npx wrangler deploy --env "$env_name"
