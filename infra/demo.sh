#!/usr/bin/env bash
# The main job on the embedded default: set up, then run every stage in one process on the live
# demo scenario (an office under an INVITE flood and a REGISTER flood, every minute), printing
# findings and dry-run decisions as they happen. Ctrl-C stops it.
set -euo pipefail
case "${1:-}" in
  -h|--help) echo "Usage: bash infra/demo.sh [extra options for 'callsentry start', e.g. --for 90 or --json]"; exit 0 ;;
esac
cd "$(dirname "$0")/.."
bash infra/setup.sh
echo "callsentry: starting the embedded pipeline on the demo scenario (Ctrl-C to stop)" >&2
# findings and decisions go to stdout for people; stderr keeps only warnings and errors
exec node bin/callsentry.js start --demo --log-level warn "$@"
