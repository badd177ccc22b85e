#!/usr/bin/env bash
# The whole test suite, on a fresh machine as on a developer's:
#   1. installs RabbitMQ, Chromium and an emoji font from Debian's packages if missing (as root, or with sudo),
#   2. starts a private RabbitMQ node on loopback (random port, state under the run folder),
#   3. builds the solution and runs every test project, the bus and end-to-end ones against that node,
#   4. stops the node, whatever happened.
# Usage: tests/run.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Bus]
# MongoDB contract tests run too when OPERATIONAL_TEST_MONGODB points at a server (see README).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
configuration=${CONFIGURATION:-Release}
run_dir=${OPERATIONAL_TEST_RUN_DIR:-"$root/.test-run"}
started=$(date +%s)

step() { printf '\n== %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

step "Checking RabbitMQ"
bash tests/rabbitmq-node.sh install

step "Checking Chromium (browser tests)"
bash tests/chromium.sh

mkdir -p "$run_dir"
node_dir="$run_dir/rabbitmq"
trap 'step "Stopping the RabbitMQ node"; bash "$root/tests/rabbitmq-node.sh" stop "$node_dir" || true' EXIT

step "Starting a private RabbitMQ node"
eval "$(bash tests/rabbitmq-node.sh start "$node_dir")"
export OPERATIONAL_TEST_REQUIRE_RABBITMQ=1
echo "RabbitMQ at $OPERATIONAL_TEST_RABBITMQ"
if [ -n "${OPERATIONAL_TEST_MONGODB:-}" ]; then
  echo "MongoDB contract tests run against OPERATIONAL_TEST_MONGODB"
else
  echo "OPERATIONAL_TEST_MONGODB is not set: the MongoDB contract tests are skipped (see README)"
fi

step "Building ($configuration)"
dotnet build Operational.sln -c "$configuration" -nologo -v q

step "Testing"
# A hung test fails the run with a dump instead of eating CI's whole budget.
dotnet test Operational.sln -c "$configuration" --no-build -nologo \
  --blame-hang-timeout 5m --results-directory "$run_dir/results" \
  --logger "console;verbosity=normal" "$@"

step "All tests passed"
