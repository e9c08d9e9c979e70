#!/usr/bin/env bash
# The residency policies live: one simulated trace replayed through a running Echelon (mock mode, time-scaled fake
# llama-servers, the real request path, controller, actuator and supervisor) once per policy, next to what the
# simulator says the same policy does on the same trace. Question: do the simulator's verdicts hold in the service?
#
#   bench/run-residency-live.sh                       # workday, seed 42, all six live policies (~25 min)
#   bench/run-residency-live.sh --family bursts --seed 7 --policies planner,ttl-lru --scale 0.05 --duration 3600
#   bench/run-residency-live.sh --quick               # 10 simulated minutes, planner and ttl-lru: checks the harness
#   bench/run-residency-live.sh --no-speculation      # the registry without its speculation pairs, live and simulated
#
# Output (default bench/results/residency-live/): sim/ (./echelon simulate --requests for the family and seed),
# live/POLICY.csv (every request as the service answered it), live/POLICY-transitions.jsonl (the service's residency
# ledger), live/POLICY-speculation.json (the speculation tuner's measurements), report.md (the comparison; also on
# stdout).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
FAMILY=workday
SEED=42
SCALE=0.05
DURATION=3600
POLICIES=planner,ttl-lru,swap-one,rb,count-lru,static
OUT=
QUICK=0
NO_SPEC=0
while [ $# -gt 0 ]; do
  case "$1" in
    --family) FAMILY=$2; shift ;;
    --seed) SEED=$2; shift ;;
    --scale) SCALE=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --policies) POLICIES=$2; shift ;;
    --out) OUT=$2; shift ;;
    --quick) QUICK=1 ;;
    --no-speculation) NO_SPEC=1 ;;
    *) echo "usage: $0 [--family F] [--seed N] [--scale S] [--duration S] [--policies P,…] [--out DIR] [--quick]" \
         "[--no-speculation]" >&2
       exit 2 ;;
  esac
  shift
done
if [ "$QUICK" = 1 ]; then
  DURATION=600; POLICIES=planner,ttl-lru; OUT=${OUT:-bench/results/residency-live-quick}
fi
OUT=${OUT:-bench/results/residency-live}
# the controller decides once a second of its clock, as the simulated policies do (the tick is wall-clock time)
TICK_MS=$(awk -v s="$SCALE" 'BEGIN { t = int(1000 * s + 0.5); print (t < 1 ? 1 : t) }')
# paths stay relative to the project root (the script runs there), so the results name no machine's folders
mkdir -p "$OUT/live"
REGISTRY=model_registry.yaml
if [ "$NO_SPEC" = 1 ]; then
  # the simulator prices every role's decode without a draft; live, the coder's draft speeds it up (about 3× on the
  # fake's acceptance): without the pairs both run the same physics. The copy goes with the results.
  REGISTRY="$OUT/model_registry-no-speculation.yaml"
  awk '/^speculation:/ { print; print "  pairs: []"; skip = 1; next }
       skip && /^[^ #]/ { skip = 0 }
       !skip { print }' model_registry.yaml >"$REGISTRY"
fi

# the simulator's verdict on the same trace (this also builds the jar when the sources changed); the optimum
# anchors the simulated regret
./echelon simulate --families "$FAMILY" --seed "$SEED" --duration "$DURATION" --policies "$POLICIES,optimum" \
  --registry "$REGISTRY" --out "$OUT/sim" --no-plots --requests >/dev/null

WORK=$(mktemp -d /tmp/echelon-residency-live.XXXXXX)
ECHELON_PID=
. bench/echelon-process.sh
cleanup() {
  local rc=$?
  stop_echelon
  show_failure "$rc"
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for POLICY in ${POLICIES//,/ }; do
  pick_ports
  URL="http://127.0.0.1:$PORT"
  rm -rf "$WORK/data"
  # the trace is what the router sent where: no escalation, retry or hold-back (each would add requests or delay
  # first tokens the trace does not have), no memory recall (it would lengthen the prompts), no server tools (a
  # tool round is a second generation)
  ORCHESTRATOR_MOCK_MODE=1 ORCHESTRATOR_MOCK_TIME_SCALE="$SCALE" ORCHESTRATOR_RESIDENCY_POLICY="$POLICY" \
  ORCHESTRATOR_MEMORY_ENABLED=false ORCHESTRATOR_ESCALATION_MAX_RETRIES=0 ORCHESTRATOR_ESCALATION_MAX_ESCALATIONS=0 \
  ORCHESTRATOR_ESCALATION_HOLD_BACK_TOKENS=0 ORCHESTRATOR_TOOLS_ENABLED=false \
  ORCHESTRATOR_RESIDENCY_TICK_MS="$TICK_MS" ORCHESTRATOR_REGISTRY_PATH="$REGISTRY" \
  ORCHESTRATOR_HOST=127.0.0.1 ORCHESTRATOR_PORT="$PORT" ORCHESTRATOR_BACKEND_PORT_BASE="$BACKEND_BASE" \
  ORCHESTRATOR_DATA_DIR="$WORK/data" ORCHESTRATOR_API_KEYS= ORCHESTRATOR_ADMIN_KEYS= \
  ORCHESTRATOR_API_SHUTDOWN_DRAIN_MS=100 \
    java ${ECHELON_JAVA_OPTS:-} -jar "$ROOT/target/quarkus-app/quarkus-run.jar" >"$WORK/echelon.log" 2>&1 &
  ECHELON_PID=$!
  echo "bench: $POLICY: Echelon pid $ECHELON_PID on $URL" >&2
  # settled: every instance ready or stopped (a policy may stop roles at its first tick)
  await_echelon "$URL" 'ready\|stopped'
  FRONTDOOR=$(instance_url frontdoor-0)
  java -Xmx512m "$ROOT/bench/ResidencyReplay.java" replay --requests "$OUT/sim/requests.csv" --family "$FAMILY" \
    --url "$URL" --tokenize-url "$FRONTDOOR" --scale "$SCALE" --out "$OUT/live/$POLICY.csv"
  cp "$WORK/data/residency-trace.jsonl" "$OUT/live/$POLICY-transitions.jsonl" 2>/dev/null \
    || : >"$OUT/live/$POLICY-transitions.jsonl"
  # what the speculation tuner measured (α per role and category, c, the speed-up): the simulator's
  # --draft-acceptance for this trace is read from here, never from the fake's own settings
  curl -fsS "$URL/admin/speculation" >"$OUT/live/$POLICY-speculation.json" 2>/dev/null || true
  stop_echelon
done

{
  echo "Run $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores," \
    "commit $(git rev-parse --short HEAD 2>/dev/null || echo ?):"
  echo "\`bench/run-residency-live.sh --family $FAMILY --seed $SEED --scale $SCALE --duration $DURATION" \
    "--policies $POLICIES$([ "$NO_SPEC" = 1 ] && echo ' --no-speculation')\`"
  echo
  java "$ROOT/bench/ResidencyReplay.java" report --sim "$OUT/sim" --live "$OUT/live" --family "$FAMILY" \
    --scale "$SCALE" --policies "$POLICIES"
} | tee "$OUT/report.md"
