#!/usr/bin/env bash
# The benchmarks of docs/benchmarks.md, in one command:
#   bench/run.sh                      10 million events, 60 s of sustained ingest
#   bench/run.sh --events 1000000     a quicker run (the query data is loaded once per size)
#   bench/run.sh ingest               one part alone: query, ingest, rules, notifications, sdk or metrics
# Needs what tests/run.sh needs (it installs RabbitMQ and wrk from Debian's packages if missing) and
# about 6 GB of disk for 10 million events under bench/.data/. Results: bench/results/<date>.md.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
node_dir="$root/bench/.data/rabbitmq"
part=all
case "${1:-}" in all|query|ingest|rules|notifications|sdk|metrics) part=$1; shift ;; esac
suffix=$([ "$part" = all ] || echo "-$part")
results="$root/bench/results/$(date -u +%Y-%m-%d-%H%M)$suffix.md"

bash tests/rabbitmq-node.sh install
if ! command -v wrk >/dev/null; then
  # The sustained ingest runs use wrk (a C load generator): on two shared cores a .NET client would eat the CPU it measures.
  echo "Installing wrk from Debian's packages..." >&2
  as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root apt-get update -q >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk >&2
fi
echo "Building (Release)..." >&2
dotnet build Operational.sln -c Release -nologo -v q >&2

mkdir -p "$root/bench/.data" "$root/bench/results"
trap 'bash "$root/tests/rabbitmq-node.sh" stop "$node_dir" || true' EXIT
eval "$(bash tests/rabbitmq-node.sh start "$node_dir")"

dotnet "bench/Operational.Bench/bin/Release/net10.0/Operational.Bench.dll" "$part" --data "$root/bench/.data" --results "$results" "$@"
echo "Results written to ${results#"$root"/}" >&2
