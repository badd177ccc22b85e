#!/usr/bin/env bash
# The whole test suite, on a fresh machine as on a developer's:
#   1. installs RabbitMQ from Debian's packages if it is missing (as root, or with sudo),
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

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "Need root (or sudo) to run: $*" >&2; exit 1
  fi
}

install_rabbitmq() {
  step "Installing RabbitMQ from Debian's packages"
  # Debian starts a system-wide node on install; the suite runs its own, so keep that one off.
  local policy=/usr/sbin/policy-rc.d created_policy=no
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
    as_root chmod +x "$policy"
    created_policy=yes
  fi
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends rabbitmq-server
  [ "$created_policy" = yes ] && as_root rm -f "$policy"
  return 0
}

if ! command -v rabbitmq-server >/dev/null && [ ! -x /usr/sbin/rabbitmq-server ]; then
  install_rabbitmq
fi

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
