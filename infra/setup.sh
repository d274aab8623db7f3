#!/usr/bin/env bash
# Set-up for running callsentry: Node dependencies from the lockfile, then the TypeScript build.
# Needs only Node 20 and npm: no Java, Kafka or Elasticsearch. Idempotent and quick when done.
set -euo pipefail
case "${1:-}" in
  -h|--help) echo "Usage: bash infra/setup.sh   (install the locked Node dependencies when needed, then npm run build)"; exit 0 ;;
esac
cd "$(dirname "$0")/.."

major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if (( major < 20 )); then
  echo "callsentry needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# Install exactly what the committed lockfile pins (`npm ci`: the standard, reproducible install),
# only when node_modules is missing or older than the lockfile. The lockfile now lists every
# platform's optional packages (@swc/core-*, @unrs/resolver-binding-*); before, npm 11 had written
# it without them and `npm ci` refused it ("Missing: @swc/core-darwin-arm64 ... from lock file"),
# so this script used `npm install --no-save` instead.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installing Node dependencies (npm ci, from the lockfile)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: building (tsc)" >&2
npm run --silent build
