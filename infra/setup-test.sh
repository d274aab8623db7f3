#!/usr/bin/env bash
# Everything the tests need: the build, the Debian packages listed in infra/apt-packages.txt, and a
# running Apache Kafka broker and Elasticsearch node (both fetched from Maven Central, see
# infra/kafka/README.md and infra/elasticsearch/README.md).
set -euo pipefail
case "${1:-}" in
  -h|--help) echo "Usage: bash infra/setup-test.sh   (setup.sh, Debian packages, Kafka and Elasticsearch started)"; exit 0 ;;
esac
cd "$(dirname "$0")/.."
bash infra/setup.sh

# shellcheck source=infra/lib/apt.sh
source infra/lib/apt.sh
install_apt_packages setup-test

bash infra/kafka/start.sh
bash infra/elasticsearch/start.sh
