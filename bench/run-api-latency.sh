#!/usr/bin/env bash
# API latency benchmark: Echelon vs straight to the same fake llama-server, in one run.
#
#   bench/run-api-latency.sh [--build] [--quick] [--exclusive] [-- extra LoadGen options]
#
# Starts Echelon in mock mode (ORCHESTRATOR_MOCK_TIME_SCALE=0: the fake backends answer with no simulated delay)
# on free loopback ports, waits until every backend is ready, finds frontdoor-0's URL in /admin/instances, runs
# bench/LoadGen.java against both URLs (fixed rates, then a ramp), and always stops Echelon on exit. Results go to
# bench/results/latest.md and latest.json (--quick: bench/results/quick/). Bounded: about 2.5 minutes of
# measuring (--quick: about 1 minute), after at most 60 s waiting for an idle machine (and, with --exclusive, at
# most 5 minutes for the build lock).
#
#   --build   rebuild the jar first (default: only when target/quarkus-app/quarkus-run.jar is missing)
#   --quick   short phases, for checking the harness; the numbers are noisier
#   --exclusive  hold /tmp/echelon-mvn.lock (the build lock) while measuring, so that no Maven build or test run
#             that uses it competes for the 2 cores; waits at most 5 minutes for it
#
# Before starting it waits (at most BENCH_QUIET_WAIT seconds, default 60) until the machine is quiet (under 15 %
# busy); the report shows how much CPU other processes used during each measurement anyway ("other CPU").
#
# Environment: ECHELON_JAVA_OPTS (JVM options for Echelon; default none, i.e. what `./echelon run` uses without
# JAVA_OPTS), LOADGEN_JAVA_OPTS, BENCH_OUT (default bench/results), BENCH_QUIET_WAIT (seconds, default 60).
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/mvnw-warm.sh
ROOT=$(pwd)
JAR=target/quarkus-app/quarkus-run.jar
OUT=${BENCH_OUT:-}
BUILD=0
QUICK=0
EXCLUSIVE=0
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=1 ;;
    --quick) QUICK=1 ;;
    --exclusive) EXCLUSIVE=1 ;;
    --) shift; EXTRA=("$@"); break ;;
    *) echo "usage: $0 [--build] [--quick] [--exclusive] [-- LoadGen options]" >&2; exit 2 ;;
  esac
  shift
done

# --quick numbers are not worth keeping: they go beside the real ones, not over them.
if [ -z "$OUT" ]; then
  if [ "$QUICK" = 1 ]; then OUT=bench/results/quick; else OUT=bench/results; fi
fi

if [ "$BUILD" = 1 ] || [ ! -f "$JAR" ]; then
  echo "bench: building $JAR (through /tmp/echelon-mvn.lock)" >&2
  (exec 8>/tmp/echelon-mvn.lock; flock 8; mvnw_warm package -DskipTests)
fi

if [ "$EXCLUSIVE" = 1 ]; then
  exec 9>/tmp/echelon-mvn.lock
  echo "bench: waiting for /tmp/echelon-mvn.lock" >&2
  flock -w 300 9 || { echo "bench: build lock still busy after 5 minutes" >&2; exit 1; }
fi

# Busy share of all CPUs over one second, in percent: capacity minus idle (the kernel measures idle exactly; its
# tick-sampled busy counters miss short bursts).
CPUS=$(nproc)
HZ=$(getconf CLK_TCK)
busy_pct() {
  local a b
  a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
  local idle=$(( (b[4]+b[5]) - (a[4]+a[5]) ))
  local busy=$(( 100 - 100 * idle / (CPUS * HZ) ))
  echo $(( busy < 0 ? 0 : busy ))
}
QUIET_WAIT=${BENCH_QUIET_WAIT:-60}
for i in $(seq 1 "$QUIET_WAIT"); do
  b=$(busy_pct)
  [ "$b" -lt 15 ] && break
  [ "$i" = 1 ] && echo "bench: machine ${b}% busy (other jobs); waiting up to ${QUIET_WAIT} s for it to calm down" >&2
  [ "$i" = "$QUIET_WAIT" ] && echo "bench: still ${b}% busy; measuring anyway (see 'other CPU' in the report)" >&2
done

WORK=$(mktemp -d /tmp/echelon-bench.XXXXXX)
ECHELON_PID=
LOADGEN_PID=
cleanup() {
  local rc=$?
  if [ -n "$LOADGEN_PID" ] && kill -0 "$LOADGEN_PID" 2>/dev/null; then
    kill -TERM "$LOADGEN_PID" 2>/dev/null || true
    wait "$LOADGEN_PID" 2>/dev/null || true
  fi
  stop_echelon
  show_failure "$rc"
  rm -rf "$WORK"
  exit "$rc"
}
. bench/echelon-process.sh
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pick_ports
ECHELON_URL="http://127.0.0.1:$PORT"

# JVM options for Echelon: none by default, so the numbers are those of a plain `./echelon run` (G1; its young
# pauses are ~2 ms once warm, so there is nothing to tune away). Shutdown drain 100 ms: nothing is in flight when
# the run ends, and the default (10 s, applied as a fixed pre-shutdown delay) would only prolong the teardown.
# shellcheck disable=SC2086
ORCHESTRATOR_MOCK_MODE=1 ORCHESTRATOR_MOCK_TIME_SCALE=0 \
ORCHESTRATOR_HOST=127.0.0.1 ORCHESTRATOR_PORT="$PORT" ORCHESTRATOR_BACKEND_PORT_BASE="$BACKEND_BASE" \
ORCHESTRATOR_DATA_DIR="$WORK/data" ORCHESTRATOR_API_KEYS= ORCHESTRATOR_ADMIN_KEYS= \
ORCHESTRATOR_API_SHUTDOWN_DRAIN_MS=100 \
  java ${ECHELON_JAVA_OPTS:-} -jar "$ROOT/$JAR" >"$WORK/echelon.log" 2>&1 9>&- &
ECHELON_PID=$!
echo "bench: Echelon pid $ECHELON_PID on $ECHELON_URL, backends from port $BACKEND_BASE" >&2

# Ready: /q/health/ready is 200 and every instance in /admin/instances is "ready" (at most 60 s).
await_echelon "$ECHELON_URL" ready
DIRECT_URL=$(instance_url frontdoor-0)
case "$DIRECT_URL" in
  http://127.0.0.1:*|http://localhost:*) ;;
  *) echo "bench: frontdoor-0 URL not found or not loopback: '$DIRECT_URL'" >&2; exit 1 ;;
esac
echo "bench: ready; frontdoor-0 at $DIRECT_URL" >&2

ARGS=(--direct "$DIRECT_URL" --echelon "$ECHELON_URL" --server-pid "$ECHELON_PID" --out "$OUT"
      --machine "$(nproc) cores, $(java -version 2>&1 | head -1 | cut -d'"' -f2) JDK")
if [ "$QUICK" = 1 ]; then
  ARGS+=(--jit-warmup 200:1,500:2,1000:3,2000:1 --jit-settle 6 --warmup 1 --duration 4 --slices 2 --ramp 1500,2500
         --ramp-duration 2)
fi
# The generator uses the serial collector with a young generation large enough that it rarely collects during a
# run (a collection pauses its clock and would show up as latency of both targets), and C1 only (no C2 compile
# bursts): it must neither stall nor take CPU from Echelon on 2 cores.
# It also runs at a slightly higher priority where allowed (root), so that other jobs on the machine delay its
# send times less; Echelon keeps the default priority.
NICE=()
nice -n -5 true 2>/dev/null && NICE=(nice -n -5)
# In the background + wait, so that a signal to this script stops the run at once (the trap then ends both JVMs).
# shellcheck disable=SC2086
"${NICE[@]}" java ${LOADGEN_JAVA_OPTS:--XX:+UseSerialGC -Xms768m -Xmx768m -Xmn640m -XX:TieredStopAtLevel=1} "$ROOT/bench/LoadGen.java" \
  "${ARGS[@]}" "${EXTRA[@]}" 9>&- &
LOADGEN_PID=$!
wait "$LOADGEN_PID"
