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

mapfile -t wanted < <(grep -vE '^\s*(#|$)' infra/apt-packages.txt | tr -d ' ')
missing=()
for p in "${wanted[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if (( ${#missing[@]} )); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup-test: missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2
    exit 1
  fi
  echo "setup-test: installing Debian packages: ${missing[*]}" >&2
  echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

bash infra/kafka/start.sh
bash infra/elasticsearch/start.sh
