#!/usr/bin/env bash
# npm run bench: builds, starts the Kafka broker (and Elasticsearch), and prints every benchmark's figures.
# Figures and how they were measured are kept in docs/benchmarks.md.
set -euo pipefail
case "${1:-}" in
  -h|--help) echo "Usage: bash bench/run.sh [--no-kafka]"; exit 0 ;;
esac
cd "$(dirname "$0")/.."
bash infra/setup.sh
# wrk, sipp, tcpdump and tshark load and time the verdict service
# shellcheck source=infra/lib/apt.sh
source infra/lib/apt.sh
install_apt_packages bench || echo "bench: benchmarks that need the missing packages say they were skipped" >&2
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(node --version), $(uname -sr)"
node dist/bench/detector-engine.bench.js
node dist/bench/replay-memory.bench.js
node dist/bench/capture.bench.js
node dist/bench/hep.bench.js
node dist/bench/numbers.bench.js
node --expose-gc dist/bench/distinct-sources.bench.js
node dist/bench/nftables-enforcement.bench.js
node dist/bench/verdicts.bench.js
if [[ "${1:-}" != "--no-kafka" ]]; then
  bash infra/kafka/start.sh >/dev/null
  node dist/bench/kafka-end-to-end.bench.js
  node dist/bench/detect-failover.bench.js
  bash infra/elasticsearch/start.sh >/dev/null
  node dist/bench/elasticsearch-index.bench.js
fi
