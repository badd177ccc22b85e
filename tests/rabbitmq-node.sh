#!/usr/bin/env bash
# A private RabbitMQ node for tests: loopback only, all state in one folder, free port.
#   tests/rabbitmq-node.sh start <dir>   start it, print "export ..." lines for the tests
#   tests/rabbitmq-node.sh stop <dir>    stop it (and epmd, if this script started it)
#   tests/rabbitmq-node.sh kill <dir>    kill -9 it (chaos tests), keeping its state
#   tests/rabbitmq-node.sh resume <dir>  start a killed or stopped node again with its state and port
#   tests/rabbitmq-node.sh install       install Debian's rabbitmq-server if missing (root or sudo)
#   <dir>/ctl <args>                     rabbitmqctl against this node (the tests use it)
# RABBITMQ_PORT=5672 picks the AMQP port instead of a free one (compose/run-local.sh does).
set -euo pipefail

cmd=${1:?usage: $0 start|stop <dir> | install}
dir=$(realpath -m "${2:-.}")
export PATH="/usr/lib/rabbitmq/bin:/usr/sbin:$PATH"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

node_env() {
  cat <<ENV
export HOME="$dir/home"
export RABBITMQ_NODENAME="$(cat "$dir/nodename")"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT="$(cat "$dir/port")"
export RABBITMQ_DIST_PORT="$(cat "$dir/dist_port")"
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_MNESIA_BASE="$dir/mnesia"
export RABBITMQ_LOG_BASE="$dir/log"
export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
export RABBITMQ_CONFIG_FILE="$dir/rabbitmq"
export PATH="/usr/lib/rabbitmq/bin:/usr/sbin:\$PATH"
ENV
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "Need root (or sudo) to run: $*" >&2; exit 1
  fi
}

launch() {
  # shellcheck disable=SC1091
  ( source "$dir/env"; exec rabbitmq-server > "$dir/log/server.out" 2>&1 ) &
  echo $! > "$dir/pid"
  (
    source "$dir/env"
    for _ in $(seq 1 120); do
      rabbitmq-diagnostics -q ping >/dev/null 2>&1 && break
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || break # the server died: no point waiting
      sleep 0.5
    done
    rabbitmqctl await_startup >/dev/null
  ) || { echo "RabbitMQ did not start; see $dir/log" >&2; tail -20 "$dir/log/server.out" >&2 || true; exit 1; }
  echo "export OPERATIONAL_TEST_RABBITMQ=amqp://guest:guest@127.0.0.1:$(cat "$dir/port")/"
  echo "export OPERATIONAL_TEST_RABBITMQCTL=$dir/ctl"
}

case "$cmd" in
  install)
    if command -v rabbitmq-server >/dev/null; then exit 0; fi
    echo "Installing RabbitMQ from Debian's packages..." >&2
    # Debian starts a system-wide node on install; tests and benchmarks run their own, so keep that one off.
    policy=/usr/sbin/policy-rc.d created_policy=no
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
      as_root chmod +x "$policy"
      created_policy=yes
    fi
    as_root apt-get update -q >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends rabbitmq-server >&2
    if [ "$created_policy" = yes ]; then as_root rm -f "$policy"; fi
    ;;
  start)
    if ! command -v rabbitmq-server >/dev/null; then
      echo "rabbitmq-server is not installed; tests/run.sh installs it (apt-get install rabbitmq-server)." >&2
      exit 1
    fi
    rm -rf "$dir"; mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
    # Our own cookie, written before anything starts: otherwise the server and the CLI polling it
    # race to create ~/.erlang.cookie, and one of them can read it empty and crash.
    (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/home/.erlang.cookie")
    chmod 400 "$dir/home/.erlang.cookie"
    port=${RABBITMQ_PORT:-$(free_port)}; dist=$(free_port)
    echo "$port" > "$dir/port"; echo "$dist" > "$dir/dist_port"
    echo "operational-test-$$@localhost" > "$dir/nodename"
    echo "[]." > "$dir/enabled_plugins"
    cat > "$dir/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$port
loopback_users.guest = true
log.console = false
log.file.level = warning
# Version 2 of classic queues (the default from RabbitMQ 3.13, which compose/ runs) answers
# publisher confirms sooner than the version 1 that Debian's 3.10 starts with (docs/scaling.md).
classic_queue.default_version = 2
CONF
    pgrep -x epmd >/dev/null && echo yes > "$dir/epmd_was_running" || echo no > "$dir/epmd_was_running"
    node_env > "$dir/env"
    cat > "$dir/ctl" <<CTL
#!/usr/bin/env bash
source "$dir/env"
exec rabbitmqctl "\$@"
CTL
    chmod +x "$dir/ctl"
    launch
    ;;
  resume)
    [ -f "$dir/env" ] || { echo "no node in $dir to resume" >&2; exit 1; }
    launch
    ;;
  kill)
    [ -f "$dir/pid" ] || exit 0
    pkill -KILL -P "$(cat "$dir/pid")" 2>/dev/null || true
    kill -KILL "$(cat "$dir/pid")" 2>/dev/null || true
    ;;
  stop)
    [ -f "$dir/env" ] || exit 0
    ( source "$dir/env"; rabbitmqctl stop >/dev/null 2>&1 ) || kill "$(cat "$dir/pid")" 2>/dev/null || true
    if [ "$(cat "$dir/epmd_was_running" 2>/dev/null)" = no ]; then
      pkill -x epmd 2>/dev/null || true
    fi
    ;;
  *)
    echo "usage: $0 start|stop|kill|resume <dir> | install" >&2; exit 2 ;;
esac
