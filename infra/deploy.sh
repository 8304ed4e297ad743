#!/usr/bin/env bash
# Deploys one edgeprom tier: a wrangler environment from wrangler.toml (region-<name>,
# written by `npx edgeprom region add <name> --location <hint>`, or global). With
# --dry-run, bundles it into dist/<env> and prints the bundle size instead, which needs
# no Cloudflare account. Exits non-zero whenever wrangler does.
set -euo pipefail
here="$PWD"
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
usage: infra/deploy.sh <env> [--dry-run] [--config FILE]

  <env>          a wrangler environment of wrangler.toml: global, or region-<name>
                 (npx edgeprom region add <name> --location <hint> writes one)
  --dry-run      bundle into dist/<env> and print its size; deploys nothing
  --config FILE  another wrangler configuration (default wrangler.toml)

examples:
  infra/deploy.sh global --dry-run
  infra/deploy.sh region-eu
EOF
}

env_name=""
dry_run=0
config="wrangler.toml"
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --dry-run) dry_run=1 ;;
    --config) [ $# -ge 2 ] || { echo "infra/deploy.sh: --config needs a FILE" >&2; exit 2; }; config="$2"; shift ;;
    --config=*) config="${1#--config=}" ;;
    -*) echo "infra/deploy.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *)
      [ -z "$env_name" ] || { echo "infra/deploy.sh: one environment at a time (got $env_name and $1)" >&2; exit 2; }
      env_name="$1" ;;
  esac
  shift
done
if [ -z "$env_name" ]; then
  usage >&2
  exit 2
fi
# A FILE given relative to where the script was called from.
if [ "$config" != "wrangler.toml" ] && [ "${config#/}" = "$config" ]; then config="$here/$config"; fi
if [ ! -f "$config" ]; then
  echo "infra/deploy.sh: no $config" >&2
  exit 2
fi
if ! grep -qE "^\[env\.\"?${env_name}\"?\]" "$config"; then
  echo "infra/deploy.sh: no [env.${env_name}] in $config" >&2
  case "$env_name" in
    region-*) echo "  write it with: npx edgeprom region add ${env_name#region-} --location <hint> (weur, enam, apac, ...)" >&2 ;;
  esac
  exit 2
fi

export WRANGLER_SEND_METRICS=false
if [ "$dry_run" = 1 ]; then
  out="dist/${env_name}"
  rm -rf "$out"
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  if ! npx wrangler deploy --dry-run --config "$config" --env "$env_name" --outdir "$out" >"$log" 2>&1; then
    cat "$log" >&2
    echo "infra/deploy.sh: wrangler could not bundle env ${env_name} (above)" >&2
    exit 1
  fi
  size=$(grep -E "Total Upload" "$log" || true)
  if [ -z "$size" ]; then
    cat "$log" >&2
    echo "infra/deploy.sh: wrangler printed no bundle size for env ${env_name}" >&2
    exit 1
  fi
  echo "${env_name}: ${size# } -> ${out}/"
  exit 0
fi
npx wrangler deploy --config "$config" --env "$env_name"
