#!/usr/bin/env bash
# Fetches the Elasticsearch integ-test zip from Maven Central with Maven and unpacks it into
# $CALLSENTRY_CACHE/elasticsearch/<version>/ (default <repo>/.cache). Idempotent.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: bash infra/elasticsearch/fetch.sh [--force] [--help]

Runs `mvn dependency:copy` for org.elasticsearch.distribution.integ-test-zip:elasticsearch
(the version pinned in common.sh) and unzips it into .cache/elasticsearch/<version>/.
A marker makes later runs a no-op; --force fetches again.

Environment:
  CALLSENTRY_CACHE       cache root (default: <repo>/.cache)
  CALLSENTRY_MAVEN_REPO  Maven local repository (default: Maven's own, ~/.m2/repository)
USAGE
}

# shellcheck source=../lib/process.sh
source "$(cd "$(dirname "$0")/.." && pwd)/lib/process.sh"
force=""
case "${1:-}" in
  --force) force=1; shift ;;
esac
accept_only_help usage "$@"
# shellcheck source=common.sh
source "$(cd "$(dirname "$0")" && pwd)/common.sh"

if [[ -z "$force" ]] && es_is_installed; then exit 0; fi
command -v mvn >/dev/null 2>&1 || { es_log "mvn not found (need Maven 3.6+)"; exit 1; }
command -v unzip >/dev/null 2>&1 || { es_log "unzip not found"; exit 1; }

mkdir -p "$CALLSENTRY_CACHE/elasticsearch"
# concurrent fetches (parallel test workers, start.sh) wait for the first one
exec {lock_fd}>"$CALLSENTRY_CACHE/elasticsearch/.fetch.lock"
flock -w 900 "$lock_fd" || { es_log "timed out waiting for another fetch"; exit 1; }
if [[ -z "$force" ]] && es_is_installed; then exit 0; fi

started=$SECONDS
es_log "fetching $ES_ARTIFACT from Maven Central into $ES_INSTALL_DIR"
tmp="$ES_INSTALL_DIR.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
mvn_args=(-B -q "-Dartifact=$ES_ARTIFACT" "-DoutputDirectory=$tmp" -Dmdep.overWriteReleases=true)
[[ -n "${CALLSENTRY_MAVEN_REPO:-}" ]] && mvn_args+=("-Dmaven.repo.local=$CALLSENTRY_MAVEN_REPO")
# run outside the repository so Maven does not pick up a pom.xml
if ! (cd "$tmp" && mvn "${mvn_args[@]}" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy >"$tmp/mvn.log" 2>&1); then
  es_log "mvn failed; output:"
  cat "$tmp/mvn.log" >&2
  rm -rf "$tmp"
  exit 1
fi
unzip -q "$tmp/elasticsearch-$ES_VERSION.zip" -d "$tmp"
rm -f "$tmp/elasticsearch-$ES_VERSION.zip" "$tmp/mvn.log"
[[ -x "$tmp/elasticsearch-$ES_VERSION/bin/elasticsearch" ]] || { es_log "bin/elasticsearch missing from the zip"; rm -rf "$tmp"; exit 1; }
# read-only for the service user: config, data and logs live under .run/, never in here
chmod -R a+rX "$tmp"
rm -rf "$ES_INSTALL_DIR"
mv "$tmp" "$ES_INSTALL_DIR"
printf '%s\n' "$ES_ARTIFACT" >"$ES_MARKER"
es_log "installed Elasticsearch $ES_VERSION ($(du -sh "$ES_HOME" | cut -f1)) in $((SECONDS - started))s"
