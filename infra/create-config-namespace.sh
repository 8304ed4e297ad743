#!/usr/bin/env bash
# Creates the CONFIG KV namespace that every tier reads prometheus.yml from, and
# prints the id to put into wrangler.toml's kv_namespaces (top level and each env).
#
#   infra/create-config-namespace.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(WRANGLER_SEND_METRICS=false npx wrangler kv namespace create CONFIG 2>&1) || { echo "$out" >&2; exit 1; }
echo "$out"
id=$(printf '%s\n' "$out" | grep -oE '[0-9a-f]{32}' | head -n 1 || true)
if [ -n "$id" ]; then
  echo
  echo "Put this into wrangler.toml wherever kv_namespaces names CONFIG:"
  echo "  { binding = \"CONFIG\", id = \"$id\" }"
fi
