#!/usr/bin/env bash
# A local 3-node Kafka cluster (KRaft, each node broker + controller) on 127.0.0.1, from Maven
# Central jars; no Docker. See scripts/kafka/README-section.md.
#
#   scripts/kafka_cluster.sh start          start what is not running; wait until ready (idempotent)
#   scripts/kafka_cluster.sh stop           stop all nodes (SIGTERM, SIGKILL after a grace period)
#   scripts/kafka_cluster.sh status         nodes, pids, brokers, quorum leader, bad partitions
#   scripts/kafka_cluster.sh kill N         SIGKILL node N (1..3), for failure tests
#   scripts/kafka_cluster.sh start-node N   start node N again; wait until it is back in sync
#   scripts/kafka_cluster.sh reset          stop, then delete the data (keeps the classpath)
#
# Environment: KAFKA_DIR (data, logs, pids; default <repo>/.kafka), KAFKA_START_TIMEOUT (s, 180),
# KAFKA_HEAP_OPTS (default "-Xms128m -Xmx384m").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONF="$ROOT/scripts/kafka"
KAFKA_DIR="${KAFKA_DIR:-$ROOT/.kafka}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-180}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx384m}"
NODES=(1 2 3)
BOOTSTRAP="127.0.0.1:19092,127.0.0.1:29092,127.0.0.1:39092"
# The classpath folder is keyed by the pom's content: a version change makes a new folder.
POM_HASH="$(sha256sum "$CONF/pom.xml" | cut -c1-12)"
LIB="$KAFKA_DIR/lib-$POM_HASH"

log() { printf 'kafka_cluster: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

node_dir() { echo "$KAFKA_DIR/node$1"; }
pid_file() { echo "$KAFKA_DIR/node$1.pid"; }

# Prints the pid of node $1 if it runs (and is really our java process), else nothing.
node_pid() {
  local f pid
  f="$(pid_file "$1")"
  [[ -f $f ]] || return 0
  pid="$(<"$f")"
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $(node_dir "$1")/server.properties"; then
    echo "$pid"
  fi
}

check_node_id() {
  [[ ${1:-} =~ ^[123]$ ]] || die "node id must be 1, 2 or 3, got '${1:-}'"
}

# Copies the broker's jars (from ~/.m2, fetched from Maven Central once) into $LIB.
ensure_classpath() {
  [[ -f $LIB/.complete ]] && return 0
  command -v java >/dev/null || die "java not found (Java 17+ is needed)"
  command -v mvn >/dev/null || die "mvn not found (Maven is needed to fetch the broker jars)"
  log "assembling the classpath in $LIB (Maven; jars are cached in ~/.m2)"
  rm -rf "$LIB"
  mkdir -p "$LIB"
  mvn -B -q -Dstyle.color=never -f "$CONF/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIB" >&2 ||
    die "mvn dependency:copy-dependencies failed"
  touch "$LIB/.complete"
}

run_check() {
  java -Dlog4j2.configurationFile="$CONF/log4j2-tool.xml" -Xmx128m -XX:+UseSerialGC \
    -XX:TieredStopAtLevel=1 -cp "$LIB/*" "$CONF/ClusterCheck.java" "$@"
}

# Writes node $1's properties and formats its storage on first use.
prepare_node() {
  local id=$1 dir
  dir="$(node_dir "$id")"
  mkdir -p "$dir/data" "$dir/logs"
  sed -e "s|@ID@|$id|g" -e "s|@DATA@|$dir/data|g" "$CONF/node.properties.template" \
    >"$dir/server.properties"
  if [[ ! -f $dir/data/meta.properties ]]; then
    if [[ ! -f $KAFKA_DIR/cluster.id ]]; then
      java -cp "$LIB/*" -Dlog4j2.configurationFile="$CONF/log4j2-tool.xml" \
        kafka.tools.StorageTool random-uuid >"$KAFKA_DIR/cluster.id"
    fi
    java -cp "$LIB/*" -Dlog4j2.configurationFile="$CONF/log4j2-tool.xml" \
      kafka.tools.StorageTool format -t "$(<"$KAFKA_DIR/cluster.id")" \
      -c "$dir/server.properties" >"$dir/logs/format.log" 2>&1 ||
      die "formatting node $id failed: see $dir/logs/format.log"
  fi
}

launch_node() {
  local id=$1 dir pid
  dir="$(node_dir "$id")"
  pid="$(node_pid "$id")"
  if [[ -n $pid ]]; then
    log "node $id already running (pid $pid)"
    return 0
  fi
  prepare_node "$id"
  # shellcheck disable=SC2086 # HEAP_OPTS is a list of JVM flags
  setsid nohup java $HEAP_OPTS -XX:+UseSerialGC -XX:CICompilerCount=2 -Xss512k \
    -XX:MaxDirectMemorySize=128m -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$CONF/log4j2.xml" -Dkafka.logs.dir="$dir/logs" \
    -cp "$LIB/*" kafka.Kafka "$dir/server.properties" \
    >"$dir/logs/stdout.log" 2>&1 </dev/null &
  echo $! >"$(pid_file "$id")"
  log "node $id started (pid $!, broker 127.0.0.1:${id}9092, controller 127.0.0.1:${id}9093)"
}

wait_ready() {
  local t0=$SECONDS
  if ! run_check ready "$BOOTSTRAP" "$START_TIMEOUT"; then
    for id in "${NODES[@]}"; do
      if [[ -z $(node_pid "$id") ]]; then
        log "node $id is not running; last lines of its log:"
        tail -n 5 "$(node_dir "$id")/logs/stdout.log" >&2 || true
      fi
    done
    die "cluster not ready after ${START_TIMEOUT} s (logs in $KAFKA_DIR/node*/logs)"
  fi
  log "ready in $((SECONDS - t0)) s"
}

cmd_start() {
  ensure_classpath
  mkdir -p "$KAFKA_DIR"
  local running=0
  for id in "${NODES[@]}"; do [[ -n $(node_pid "$id") ]] && running=$((running + 1)); done
  if ((running == ${#NODES[@]})); then
    log "already running"
    wait_ready
    return 0
  fi
  # All nodes go up together: nothing progresses without a controller majority.
  for id in "${NODES[@]}"; do launch_node "$id"; done
  wait_ready
}

cmd_start_node() {
  check_node_id "${1:-}"
  ensure_classpath
  launch_node "$1"
  wait_ready
}

cmd_kill() {
  check_node_id "${1:-}"
  local pid
  pid="$(node_pid "$1")"
  if [[ -z $pid ]]; then
    log "node $1 is not running"
    return 0
  fi
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$(pid_file "$1")"
  log "node $1 killed (pid $pid)"
}

cmd_stop() {
  local pids=() id pid
  for id in "${NODES[@]}"; do
    pid="$(node_pid "$id")"
    [[ -n $pid ]] && pids+=("$pid") && kill -TERM "$pid"
  done
  if ((${#pids[@]} == 0)); then
    log "not running"
  else
    # Controlled shutdown needs a live quorum; the last node cannot have one, so give them 10 s, then force.
    local deadline=$((SECONDS + 10))
    for pid in "${pids[@]}"; do
      while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
      if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid did not stop in time: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
      fi
    done
    log "stopped ${#pids[@]} node(s)"
  fi
  for id in "${NODES[@]}"; do rm -f "$(pid_file "$id")"; done
}

cmd_status() {
  local id pid rss up=0
  for id in "${NODES[@]}"; do
    pid="$(node_pid "$id")"
    if [[ -n $pid ]]; then
      up=$((up + 1))
      rss="$(awk '/VmRSS/ {printf "%d MiB", $2/1024}' "/proc/$pid/status")"
      echo "node $id: running  pid $pid  rss $rss  broker 127.0.0.1:${id}9092"
    else
      echo "node $id: stopped"
    fi
  done
  ((up > 0)) || return 3
  [[ -f $LIB/.complete ]] || return 3
  run_check status "$BOOTSTRAP"
}

cmd_reset() {
  cmd_stop
  rm -rf "$KAFKA_DIR"/node{1,2,3} "$KAFKA_DIR/cluster.id"
  log "data deleted"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  kill) cmd_kill "${2:-}" ;;
  start-node) cmd_start_node "${2:-}" ;;
  reset) cmd_reset ;;
  *)
    sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    [[ ${1:-} =~ ^(-h|--help|help)$ ]] || exit 2
    ;;
esac
