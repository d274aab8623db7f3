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

# Install exactly what the committed lockfile pins, only when node_modules is missing or older than
# it. Not `npm ci`: the npm 11 on these machines writes lockfiles without the other platforms'
# optional packages (@swc/core-darwin-*, ...) and its own `npm ci` then refuses them; `npm install
# --no-save` installs the locked versions and leaves the lockfile untouched.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installing Node dependencies (locked versions)" >&2
  npm install --no-save --no-audit --no-fund --loglevel=error
fi
echo "setup: building (tsc)" >&2
npm run --silent build
