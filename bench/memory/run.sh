#!/usr/bin/env bash
# Memory index benchmark: java-exact vs faiss-flat vs faiss-hnsw on synthetic clustered 384-d unit vectors (ingest,
# single-query p50/p99, HNSW recall@10 vs exact over an efSearch sweep, RSS), then embedding + indexing with the real
# all-MiniLM-L6-v2. Source: src/test/java/dev/echelon/bench/MemoryBench.java. Writes bench/memory/results.md.
#
#   bench/memory/run.sh [--sizes 100000,1000000] [--queries 200] [--slow-queries 100] [--efc 80]
#                       [--ef 32,64,96,128,192,256] [--embed 3000] [--out DIR]
#
# 1M vectors need about 8 GB of memory (the vectors are held by the bench, by the exact index and by faiss in turn)
# and, on two cores, about 20 minutes, most of it the 1M HNSW build. MEMORY_BENCH_HEAP overrides the heap (default 7g).
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/mvnw-warm.sh
exec 9>/tmp/echelon-mvn.lock
flock -w 300 9 || { echo "bench: build lock busy for 5 minutes" >&2; exit 1; }
mvnw_warm test-compile
[ -f target/classes/dev/echelon/memory/faiss/linux-x86_64/libjniFaiss.so ] \
  || { echo "bench: libjniFaiss.so was not built (install libfaiss-dev libopenblas-dev g++; ./echelon does)" >&2; exit 1; }
CP_FILE=target/test-classpath.txt
if [ ! -s "$CP_FILE" ] || [ pom.xml -nt "$CP_FILE" ]; then
  mvnw_warm dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test
fi
flock -u 9
exec nice -n 10 java -Xmx"${MEMORY_BENCH_HEAP:-7g}" -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "target/test-classes:target/classes:$(cat "$CP_FILE")" dev.echelon.bench.MemoryBench "$@"
