#!/usr/bin/env bash
# shellcheck disable=SC2034  # paths/versions defined here are used by the scripts that source it
# Installs a runnable Apache Kafka (broker + tools) from Maven Central into
# $CALLSENTRY_CACHE/kafka/<version>/ (default <repo>/.cache/kafka/<version>/).
#
# Run it:    bash infra/kafka/install.sh [--force] [--print-libs]
# Source it: the other scripts in this folder do `source install.sh`, which only
#            defines the pinned versions, the paths and kafka_install().
set -euo pipefail

# ---- pinned versions --------------------------------------------------------
# 4.1.2: latest 4.1.x patch on Maven Central; verified against kafkajs 2.2.4
# (see README.md, "kafkajs compatibility").
KAFKA_VERSION="4.1.2"
SCALA_VERSION="2.13"
# ------------------------------------------------------------------------------

KAFKA_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$KAFKA_SCRIPT_DIR/../.." && pwd)"

CALLSENTRY_CACHE="${CALLSENTRY_CACHE:-$REPO_ROOT/.cache}"
KAFKA_INSTALL_DIR="$CALLSENTRY_CACHE/kafka/$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_INSTALL_DIR/libs"
KAFKA_PROBE_CLASSES="$KAFKA_INSTALL_DIR/probe"
KAFKA_MARKER="$KAFKA_INSTALL_DIR/.installed"
KAFKA_CLASSPATH="$KAFKA_LIBS/*"

if [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then
  JAVA="${JAVA:-$JAVA_HOME/bin/java}"
  JAVAC="${JAVAC:-$JAVA_HOME/bin/javac}"
else
  JAVA="${JAVA:-java}"
  JAVAC="${JAVAC:-javac}"
fi

kafka_log() { printf '[kafka] %s\n' "$*" >&2; }

# Everything that changes what ends up in $KAFKA_INSTALL_DIR goes into the marker,
# so editing the pom or the probe triggers a reinstall on the next run.
kafka_install_fingerprint() {
  local sum
  sum="$(cat "$KAFKA_SCRIPT_DIR/pom.xml" "$KAFKA_SCRIPT_DIR/KafkaProbe.java" | sha256sum)"
  printf 'kafka=%s scala=%s inputs=%s\n' "$KAFKA_VERSION" "$SCALA_VERSION" "${sum%% *}"
}

kafka_is_installed() {
  [[ -f "$KAFKA_MARKER" ]] && [[ "$(cat "$KAFKA_MARKER")" == "$(kafka_install_fingerprint)" ]]
}

kafka_install() {
  local force="${1:-}"
  if [[ "$force" != "--force" ]] && kafka_is_installed; then
    return 0
  fi

  command -v "$JAVA" >/dev/null 2>&1 || { kafka_log "java not found (need Java 17+)"; return 1; }
  command -v "$JAVAC" >/dev/null 2>&1 || { kafka_log "javac not found (need a JDK 17+)"; return 1; }
  command -v mvn >/dev/null 2>&1 || { kafka_log "mvn not found (need Maven 3.6+)"; return 1; }

  mkdir -p "$CALLSENTRY_CACHE/kafka"
  # Serialise concurrent installs (parallel test workers, start.sh + install.sh).
  local lock="$CALLSENTRY_CACHE/kafka/.install.lock"
  exec {lock_fd}>"$lock"
  if command -v flock >/dev/null 2>&1; then
    flock -w 900 "$lock_fd" || { kafka_log "timed out waiting for $lock"; return 1; }
  fi
  if [[ "$force" != "--force" ]] && kafka_is_installed; then   # someone else finished it
    exec {lock_fd}>&-
    return 0
  fi

  local started=$SECONDS
  kafka_log "installing Apache Kafka $KAFKA_VERSION (Scala $SCALA_VERSION) from Maven Central into $KAFKA_INSTALL_DIR"
  local tmp="$KAFKA_INSTALL_DIR.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"

  local mvn_args=(-B -q -f "$KAFKA_SCRIPT_DIR/pom.xml"
    "-Dkafka.version=$KAFKA_VERSION"
    "-Dscala.binary.version=$SCALA_VERSION"
    "-Dcallsentry.build.dir=$tmp/maven-target"
    "-DoutputDirectory=$tmp/libs"
    -DincludeScope=runtime
    -DoverWriteReleases=true)
  if [[ -n "${CALLSENTRY_MAVEN_REPO:-}" ]]; then
    mvn_args+=("-Dmaven.repo.local=$CALLSENTRY_MAVEN_REPO")
  fi
  if ! mvn "${mvn_args[@]}" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies >"$tmp/mvn.log" 2>&1; then
    kafka_log "mvn failed; output:"
    cat "$tmp/mvn.log" >&2
    rm -rf "$tmp"
    exec {lock_fd}>&-
    return 1
  fi

  local jar missing=0
  for jar in "kafka_${SCALA_VERSION}-${KAFKA_VERSION}.jar" "kafka-tools-${KAFKA_VERSION}.jar" \
             "kafka-server-${KAFKA_VERSION}.jar" "kafka-storage-${KAFKA_VERSION}.jar" \
             "kafka-clients-${KAFKA_VERSION}.jar"; do
    [[ -f "$tmp/libs/$jar" ]] || { kafka_log "missing after mvn: $jar"; missing=1; }
  done
  compgen -G "$tmp/libs/log4j-core-*.jar" >/dev/null || { kafka_log "missing after mvn: log4j-core"; missing=1; }
  compgen -G "$tmp/libs/log4j-slf4j-impl-*.jar" >/dev/null || { kafka_log "missing after mvn: log4j-slf4j-impl"; missing=1; }
  if (( missing )); then rm -rf "$tmp"; exec {lock_fd}>&-; return 1; fi

  # Readiness probe used by start.sh (AdminClient describeCluster + listTopics).
  mkdir -p "$tmp/probe"
  if ! "$JAVAC" -nowarn -cp "$tmp/libs/*" -d "$tmp/probe" "$KAFKA_SCRIPT_DIR/KafkaProbe.java" >"$tmp/javac.log" 2>&1; then
    kafka_log "javac KafkaProbe.java failed:"
    cat "$tmp/javac.log" >&2
    rm -rf "$tmp"
    exec {lock_fd}>&-
    return 1
  fi

  rm -rf "$tmp/maven-target" "$tmp/mvn.log" "$tmp/javac.log"
  rm -rf "$KAFKA_INSTALL_DIR"
  mv "$tmp" "$KAFKA_INSTALL_DIR"
  kafka_install_fingerprint >"$KAFKA_MARKER"
  kafka_log "installed Kafka $KAFKA_VERSION ($(find "$KAFKA_LIBS" -name "*.jar" | wc -l) jars, $(du -sh "$KAFKA_LIBS" | cut -f1)) in $((SECONDS - started))s"
  exec {lock_fd}>&-
}

kafka_install_usage() {
  cat <<EOF
Usage: bash infra/kafka/install.sh [--force] [--print-libs] [--help]

Fetches Apache Kafka $KAFKA_VERSION (Scala $SCALA_VERSION) jars and all transitive
dependencies from Maven Central with Maven (infra/kafka/pom.xml) into
  $KAFKA_LIBS
and compiles the readiness probe. A marker file makes later runs a no-op.

Options:
  --force        reinstall even if the marker says it is installed
  --print-libs   print the libs folder (for use as a classpath: "<dir>/*") and exit
  --help         this text

Environment:
  CALLSENTRY_CACHE       cache root (default: <repo>/.cache)
  CALLSENTRY_MAVEN_REPO  Maven local repository (default: Maven's own, ~/.m2/repository)
  JAVA_HOME / JAVA       Java 17+ to use
EOF
}

kafka_install_main() {
  local force=""
  while (($#)); do
    case "$1" in
      -h|--help) kafka_install_usage; return 0 ;;
      --force) force="--force" ;;
      --print-libs) kafka_install; printf '%s\n' "$KAFKA_LIBS"; return 0 ;;
      *) kafka_log "unknown argument: $1"; kafka_install_usage >&2; return 2 ;;
    esac
    shift
  done
  kafka_install "$force"
  kafka_is_installed
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  kafka_install_main "$@"
fi
