#!/usr/bin/env bash
# Ratios that hold across runs, not one: ROUNDS rounds (default 3) of ssm4j and PyTorch back to back on the
# same cases and thread counts, optionally a second ssm4j class path (another native build) in the same
# rounds, then each round's ratio and the median over rounds (python/interleave_report.py). On a 2-core VM
# single runs vary by 10–30 %; an order of A, torch, B per round keeps slow phases from favouring one side.
#
#   bash ssm-bench/interleave.sh [RESULTS]
#
# Environment: CASES (default small:ssm-vr:dl4j,large:ssm-vr:dl4j,large:plain:dl4j), THREADS (default "1 2"),
# ROUNDS, BUDGET (as run.sh), PYTHON, BENCH_CP (class path A; default the build's), BENCH_CP_B and EXT_B
# (class path B and its native-build suffix, e.g. -onednn-avx2; optional), SKIP_BUILD=1, MVN_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=${1:-ssm-bench/results/interleave-$(date +%Y%m%d-%H%M%S)}
PYTHON=${PYTHON:-/usr/bin/python3}
CASES=${CASES:-small:ssm-vr:dl4j,large:ssm-vr:dl4j,large:plain:dl4j}
mkdir -p "$RESULTS"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  mvn -B -q ${MVN_ARGS:-} -DskipTests -pl ssm-bench -am install
fi
CP_A=${BENCH_CP:-ssm-bench/target/classes:$(cat ssm-bench/target/classpath.txt)}
ext_of() { echo "$1" | tr ':' '\n' | sed -n 's/.*nd4j-native-[^/]*-linux-x86_64\(-[a-z0-9-]\+\)\.jar$/\1/p' | sed -n 1p; }
java_run() {   # class path, extension, threads, output
  java ${JAVA_OPTS:--Xms512m -Xmx512m -XX:+AlwaysPreTouch} -Dorg.bytedeco.javacpp.maxbytes=3G -Dorg.bytedeco.javacpp.maxphysicalbytes=6G \
    -Dorg.bytedeco.javacpp.platform.extension="$2" -cp "$1" io.github.ssm4j.bench.BenchMain --threads "$3" \
    --budget "${BUDGET:-1}" --cases "$CASES" --out "$4" | grep -E '^ssm4j,' || echo "ssm4j run failed; continuing"
}
echo "load before: $(uptime)" > "$RESULTS/machine.txt"
for ((r = 1; r <= ${ROUNDS:-3}; r++)); do
  for T in ${THREADS:-1 2}; do
    export OMP_NUM_THREADS=$T OPENBLAS_NUM_THREADS=$T MKL_NUM_THREADS=$T
    echo "== round $r, $T thread(s)"
    java_run "$CP_A" "$(ext_of "$CP_A")" "$T" "$RESULTS/a-r$r-t$T.csv"
    "$PYTHON" ssm-bench/python/torch_bench.py --threads "$T" --budget "${BUDGET:-1}" --cases "$CASES" \
      --out "$RESULTS/torch-r$r-t$T.csv" | grep -E '^pytorch,' || echo "PyTorch run failed; continuing"
    if [[ -n "${BENCH_CP_B:-}" ]]; then
      java_run "$BENCH_CP_B" "${EXT_B:-$(ext_of "$BENCH_CP_B")}" "$T" "$RESULTS/b-r$r-t$T.csv"
    fi
  done
done
echo "load after: $(uptime)" >> "$RESULTS/machine.txt"
"$PYTHON" ssm-bench/python/interleave_report.py "$RESULTS" | tee "$RESULTS/report.md"
