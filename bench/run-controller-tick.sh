#!/usr/bin/env bash
# Controller tick benchmark: one residency controller tick — Forecaster.forecast + Planner.plan + Guardrails — on a
# synthetic registry of 8 managed roles over the 4 tiers, 3 variants each, under GPU-budget pressure with shifting
# demand (src/test/java/dev/echelon/bench/ControllerTickBenchmark.java). JMH in sample mode, so the report has
# p50 / p99 / p99.9. The issue's target: p99 under 5 ms.
#
#   bench/run-controller-tick.sh [--quick] [-- extra JMH options]
#
#   --quick   2 warm-up + 3 measurement iterations of 2-3 s (about 20 s): checks the harness; noisier
#
# Holds /tmp/echelon-mvn.lock (the build lock) from the test compile to the end of the measurement, so that no Maven
# build or test run competes for the cores; waits at most 5 minutes for it. Before measuring it waits (at most
# BENCH_QUIET_WAIT seconds, default 60) for the machine to be quiet (under 15 % busy) and reports how busy the
# machine was while measuring. Results: bench/results/controller-tick.md and controller-tick.json (BENCH_OUT
# overrides the folder; --quick writes to bench/results/quick/).
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/mvnw-warm.sh
OUT=${BENCH_OUT:-}
QUICK=0
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --) shift; EXTRA=("$@"); break ;;
    *) echo "usage: $0 [--quick] [-- extra JMH options]" >&2; exit 2 ;;
  esac
  shift
done
NAME=controller-tick
if [ -z "$OUT" ]; then
  if [ "$QUICK" = 1 ]; then OUT=bench/results/quick; else OUT=bench/results; fi
fi
mkdir -p "$OUT"

exec 9>/tmp/echelon-mvn.lock
echo "bench: waiting for /tmp/echelon-mvn.lock" >&2
flock -w 300 9 || { echo "bench: build lock still busy after 5 minutes" >&2; exit 1; }

# the JMH annotation processor generates the harness during the ordinary test compile
mvnw_warm test-compile
CP_FILE=target/test-classpath.txt
if [ ! -s "$CP_FILE" ] || [ pom.xml -nt "$CP_FILE" ]; then
  mvnw_warm dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test
fi
CP="target/test-classes:target/classes:$(cat "$CP_FILE")"

CPUS=$(nproc)
HZ=$(getconf CLK_TCK)
idle_ticks() { local s; s=($(head -1 /proc/stat)); echo $(( s[4] + s[5] )); }
busy_pct() {
  local a b; a=$(idle_ticks); sleep 1; b=$(idle_ticks)
  local busy=$(( 100 - 100 * (b - a) / (CPUS * HZ) ))
  echo $(( busy < 0 ? 0 : busy ))
}
QUIET_WAIT=${BENCH_QUIET_WAIT:-60}
for i in $(seq 1 "$QUIET_WAIT"); do
  b=$(busy_pct)
  [ "$b" -lt 15 ] && break
  [ "$i" = 1 ] && echo "bench: machine ${b}% busy (other jobs); waiting up to ${QUIET_WAIT} s for it to calm down" >&2
  [ "$i" = "$QUIET_WAIT" ] && echo "bench: still ${b}% busy; measuring anyway" >&2
done

JMH_OPTS=()
[ "$QUICK" = 1 ] && JMH_OPTS=(-wi 2 -w 2 -i 3 -r 3)
WORK=$(mktemp -d /tmp/echelon-tick.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
IDLE0=$(idle_ticks); T0=$(date +%s)
java -cp "$CP" org.openjdk.jmh.Main 'dev.echelon.bench.ControllerTickBenchmark' "${JMH_OPTS[@]}" \
  -rf json -rff "$WORK/result.json" "${EXTRA[@]}" | tee "$WORK/jmh.log"
IDLE1=$(idle_ticks); T1=$(date +%s)
ELAPSED=$(( T1 > T0 ? T1 - T0 : 1 ))
BUSY=$(( 100 - 100 * (IDLE1 - IDLE0) / (CPUS * HZ * ELAPSED) ))
# JMH's JSON with the raw sample histogram dropped (hundreds of kB): the scores and percentiles stay
if command -v jq > /dev/null; then
  jq 'map(.primaryMetric |= del(.rawDataHistogram))' "$WORK/result.json" > "$OUT/$NAME.json"
else
  cp "$WORK/result.json" "$OUT/$NAME.json"
fi

pct() { awk -v k="ControllerTickBenchmark.tick:$1" '$1 == k { print $3 }' "$WORK/jmh.log"; }
N=$(awk '$1 == "ControllerTickBenchmark.tick" { print $3 }' "$WORK/jmh.log")
MEAN=$(awk '$1 == "ControllerTickBenchmark.tick" { print $4 " " $5 " " $6 }' "$WORK/jmh.log")
P50=$(pct p0.50); P90=$(pct p0.90); P99=$(pct p0.99); P999=$(pct p0.999); P9999=$(pct p0.9999); MAX=$(pct p1.00)
verdict() { awk -v p="$1" 'BEGIN { print (p + 0 < 5000 ? "yes" : "NO") }'; }
CPU_MODEL=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
JAVA_VERSION=$(java -version 2>&1 | head -1)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=$(git diff --quiet HEAD -- . ':!bench/results' 2>/dev/null && echo "" || echo " (uncommitted changes)")

cat > "$OUT/$NAME.md" <<MD
# Controller tick benchmark

One residency controller tick — \`Forecaster.forecast\` + \`Planner.plan\` (exact multiple-choice knapsack over
roles × candidate placements, on a 192 × 128 cell grid of the GPU and host-RAM budgets) + \`Guardrails\`
(constraints, veto, budget-safe ordering) — on a synthetic registry of **8 managed roles over 4 tiers** (A: front
door; B: two experts; C: five workers; D: drafts riding with two targets), 3 variants each (29 candidate
placements per role, 3 for the pinned front door), weights 2 × (Q4) to 3.5 × (Q8) the 24 GiB GPU, 64 GiB host RAM; demand shifts every 90 s and the
placement follows the guarded plan. Source: \`src/test/java/dev/echelon/bench/ControllerTickBenchmark.java\`.

Command: \`bench/run-controller-tick.sh$([ "$QUICK" = 1 ] && echo " --quick")\` ($(date -u +%Y-%m-%dT%H:%MZ), commit ${COMMIT}${DIRTY})

| statistic | µs per tick |
|---|---:|
| samples | ${N} |
| mean | ${MEAN} |
| p50 | ${P50} |
| p90 | ${P90} |
| **p99** | **${P99}** |
| p99.9 | ${P999} |
| p99.99 | ${P9999} |
| max | ${MAX} |

Target (issue 5): p99 < 5 ms — met: **$(verdict "$P99")**.

Machine: ${CPUS} × ${CPU_MODEL}; ${JAVA_VERSION}; JMH 1.37, sample mode, 1 fork, heap 256 MiB. The machine was
${BUSY} % busy on average while measuring (all CPUs; the benchmark itself keeps about one core busy, i.e.
$(( 100 / CPUS )) %): the rest is other work that the build lock does not stop, and it shows in the far tail.
MD
echo "bench: wrote $OUT/$NAME.md and $OUT/$NAME.json" >&2
