#!/usr/bin/env bash
# Speculation benchmark (mock mode): adaptive draft lengths vs a fixed length of 16 vs no speculation vs the analytic
# optimum, for α ∈ {0.3, 0.5, 0.7, 0.9} × c ∈ {0.02, 0.1}, on fake llama-servers that honour per-request lengths and
# on ones that ignore them (llama-server v0.5.0), plus a shifting category mix. Source:
# src/test/java/dev/echelon/bench/SpeculationBench.java. Writes bench/speculation/results.md.
#
#   bench/speculation/run.sh [--requests 24] [--tokens 160] [--time-scale 0.04] [--prior bytes|cost-model] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/mvnw-warm.sh
exec 9>/tmp/echelon-mvn.lock
flock -w 300 9 || { echo "bench: build lock busy for 5 minutes" >&2; exit 1; }
mvnw_warm test-compile
CP_FILE=target/test-classpath.txt
if [ ! -s "$CP_FILE" ] || [ pom.xml -nt "$CP_FILE" ]; then
  mvnw_warm dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test
fi
flock -u 9
exec java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "target/test-classes:target/classes:$(cat "$CP_FILE")" dev.echelon.bench.SpeculationBench "$@"
