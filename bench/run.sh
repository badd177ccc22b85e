#!/usr/bin/env bash
# The benchmarks of docs/benchmarks.md, in one command:
#   bench/run.sh                      10 million events, 60 s of sustained ingest
#   bench/run.sh --events 1000000     a quicker run (the query data is loaded once per size)
# Needs what tests/run.sh needs (it installs RabbitMQ from Debian's packages if missing) and
# about 6 GB of disk for 10 million events under bench/.data/. Results: bench/results/<date>.md.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
node_dir="$root/bench/.data/rabbitmq"
results="$root/bench/results/$(date -u +%Y-%m-%d-%H%M).md"

bash tests/rabbitmq-node.sh install
echo "Building (Release)..." >&2
dotnet build Operational.sln -c Release -nologo -v q >&2

mkdir -p "$root/bench/.data" "$root/bench/results"
trap 'bash "$root/tests/rabbitmq-node.sh" stop "$node_dir" || true' EXIT
eval "$(bash tests/rabbitmq-node.sh start "$node_dir")"

dotnet "bench/Operational.Bench/bin/Release/net10.0/Operational.Bench.dll" all --data "$root/bench/.data" --results "$results" "$@"
echo "Results written to ${results#"$root"/}" >&2
