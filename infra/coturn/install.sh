#!/usr/bin/env bash
# Installs coturn (turnserver, turnadmin, turnutils_*) and redis-cli from Debian when missing.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bash infra/coturn/install.sh [--help]

Installs the Debian packages coturn (turnserver, turnadmin, turnutils_uclient,
turnutils_peer, turnutils_stunclient) and redis-tools (redis-cli) if they are
missing. Runs `apt-get update` first only when a package has to be installed.
Needs root for the install; does nothing (in ~10 ms) when both are present.
The Debian package's own service is not used: infra/coturn/start.sh runs
turnserver with its own configuration under .run/coturn.
EOF
}

# shellcheck source=../lib/process.sh
source "$(cd "$(dirname "$0")/.." && pwd)/lib/process.sh"
accept_only_help usage "$@"

log() { printf '[coturn] %s\n' "$*" >&2; }

missing=()
command -v turnserver >/dev/null 2>&1 && command -v turnadmin >/dev/null 2>&1 || missing+=(coturn)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
(( ${#missing[@]} )) || exit 0

if [[ $(id -u) -ne 0 ]]; then
  log "missing Debian packages: ${missing[*]}; install them as root: apt-get install ${missing[*]}"
  exit 1
fi
log "installing Debian packages: ${missing[*]}"
# bounded: a stuck mirror fails the install instead of hanging a test run
timeout 300 apt-get update -qq
# policy-rc.d-less containers print a harmless "invoke-rc.d ... denied" for the package's service
DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
log "installed: $(dpkg-query -W -f='${Package} ${Version} ' "${missing[@]}")"
