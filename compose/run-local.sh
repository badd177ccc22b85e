#!/usr/bin/env bash
# Distributed mode on one machine without Docker: the gateway and the four services as
# separate processes over RabbitMQ, each with its own SQLite files.
#   compose/run-local.sh          build, start everything, stop it all on Ctrl+C
# Uses the RabbitMQ on 127.0.0.1:5672 if one answers there (guest/guest), otherwise starts a
# private node (Debian's rabbitmq-server must be installed: tests/run.sh or apt-get install it).
# State (data, logs, the internal secret, the private node) lives under compose/.local/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state="$root/compose/.local"
configuration=${CONFIGURATION:-Release}
mkdir -p "$state/logs" "$state/data"
pids=()
started_node=no

cleanup() {
  echo
  echo "Stopping..."
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$started_node" = yes ]; then bash "$root/tests/rabbitmq-node.sh" stop "$state/rabbitmq" || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

echo "Building ($configuration)..."
dotnet build "$root/Operational.sln" -c "$configuration" -nologo -v q

if port_open 5672; then
  echo "Using the RabbitMQ on 127.0.0.1:5672"
else
  echo "Starting a RabbitMQ node on 127.0.0.1:5672 (state in $state/rabbitmq)..."
  RABBITMQ_PORT=5672 bash "$root/tests/rabbitmq-node.sh" start "$state/rabbitmq" >/dev/null
  started_node=yes
fi

# One secret shared by the gateway and the services, generated once and kept.
if [ ! -s "$state/internal-secret" ]; then
  (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$state/internal-secret")
fi
export InternalAuth__Secret="$(cat "$state/internal-secret")"
export Bus__Transport=RabbitMq Bus__RabbitMq__Host=127.0.0.1 Bus__RabbitMq__Port=5672
export Logging__Console__FormatterName=simple

start() { # name project-dir assembly port
  local name=$1 dir=$2 assembly=$3 port=$4
  local bin="$root/$dir/bin/$configuration/net10.0"
  # From its own folder, so the appsettings.json built next to it applies.
  (cd "$bin" && Storage__Sqlite__DataDirectory="$state/data/$name" \
    exec dotnet "$assembly.dll" --urls "http://127.0.0.1:$port") > "$state/logs/$name.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 150); do
    if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then
      printf '  %-14s http://127.0.0.1:%s  (log: %s)\n' "$name" "$port" "$state/logs/$name.log"
      return 0
    fi
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then
      echo "$name exited; its log:" >&2; tail -30 "$state/logs/$name.log" >&2; exit 1
    fi
    sleep 0.2
  done
  echo "$name was not ready within 30 s; its log:" >&2; tail -30 "$state/logs/$name.log" >&2; exit 1
}

echo "Starting services..."
start storage       services/Operational.Storage       Operational.Storage       5081
start contexts      services/Operational.Contexts      Operational.Contexts      5082
start rules         services/Operational.Rules         Operational.Rules         5083
start notifications services/Operational.Notifications Operational.Notifications 5084
start gateway       gateway/Operational.Gateway        Operational.Gateway       5080

# On the first start the gateway printed the keys of project 'default' into its log.
grep -E "first start|admin key|ingest key" "$state/logs/gateway.log" | sed "s/^ */  /" || true
echo
echo "Operational (distributed) is running at http://127.0.0.1:5080. Ctrl+C stops everything."
wait -n "${pids[@]}" || true
echo "A process exited; see $state/logs." >&2
exit 1
