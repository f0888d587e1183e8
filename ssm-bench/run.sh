#!/usr/bin/env bash
# The whole benchmark in one command: ssm4j (BenchMain) and PyTorch (python/torch_bench.py) side by side at 1
# and 2 threads, the D-sweep, a 10,000-step memory run, then the markdown tables (stdout and
# RESULTS/report.md) and the D-sweep plot (RESULTS/d-sweep.png). About 10–15 minutes on 2 cores.
#
#   bash ssm-bench/run.sh [RESULTS]            # RESULTS defaults to ssm-bench/results/<date-time>
#
# Environment: MVN_ARGS (extra Maven arguments, e.g. "-o -Dmaven.repo.local=..."), SKIP_BUILD=1 (use the last
# build), PYTHON (default /usr/bin/python3), MEMORY_STEPS (default 10000), BUDGET (seconds of timed steps per
# small case; large cases get 4×; default 1), CASES (instead of headline and, at 1 thread, sweep; e.g.
# small:ssm-vr:dl4j,large:plain:dl4j), JAVA_OPTS, BENCH_CP (a class path to use instead of the build's).
# The native build is the one the project was built with (-Dnd4j.extension=... in MVN_ARGS).
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=${1:-ssm-bench/results/$(date +%Y%m%d-%H%M%S)}
PYTHON=${PYTHON:-/usr/bin/python3}
BUDGET=${BUDGET:-1}
mkdir -p "$RESULTS"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  mvn -B -q ${MVN_ARGS:-} -DskipTests -pl ssm-bench -am install
fi
CP=${BENCH_CP:-ssm-bench/target/classes:$(cat ssm-bench/target/classpath.txt)}
# the optimised build's suffix (-avx2, ...) if the class path has one besides the generic jar, else empty
EXT=$(echo "$CP" | tr ':' '\n' | sed -n 's/.*nd4j-native-[^/]*-linux-x86_64\(-[a-z0-9-]\+\)\.jar$/\1/p' | sed -n 1p)
# ND4J frees off-heap arrays when their Java objects are collected; the JavaCPP bounds make it collect in time.
# Timing runs use a fixed, pre-touched heap: on this kind of VM a first touch of a page costs tens of µs, and
# a default heap grows for thousands of steps, so step times would include the JVM's own warm-up of memory
# rather than the steady state of a long training run (docs/BENCHMARKS.md, change 13). The memory run keeps
# a default heap, so that its RSS figures show what training needs.
JVM_ARGS="-Dorg.bytedeco.javacpp.maxbytes=3G -Dorg.bytedeco.javacpp.maxphysicalbytes=6G -Dorg.bytedeco.javacpp.platform.extension=$EXT -cp $CP"
JAVA="java ${JAVA_OPTS:--Xms512m -Xmx512m -XX:+AlwaysPreTouch} $JVM_ARGS"
JAVA_MEMORY="java -Xmx2g $JVM_ARGS"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "load before: $(uptime)"
  echo "nd4j native build: linux-x86_64${EXT}"
  java -version 2>&1 | sed -n 1p
  "$PYTHON" -c 'import torch; print("torch", torch.__version__)'
  lscpu | grep -E 'Model name|^CPU\(s\)|Thread|Flags' | sed 's/^Flags:.*\(avx512f\).*/Flags: ... avx2, \1 .../'
  free -g | sed -n 1,2p
} > "$RESULTS/machine.txt"
cat "$RESULTS/machine.txt"

[[ -n "${CASES:-}" ]] && CASES_SET=1
for T in 1 2; do
  export OMP_NUM_THREADS=$T OPENBLAS_NUM_THREADS=$T MKL_NUM_THREADS=$T
  CASES=${CASES:-headline}
  [[ $T == 1 && -z "${CASES_SET:-}" ]] && CASES=$CASES,sweep
  echo "== ssm4j, $T thread(s)"
  $JAVA io.github.ssm4j.bench.BenchMain --threads $T --budget "$BUDGET" --cases $CASES --out "$RESULTS/java-t$T.csv" \
    | grep -E '^(side|ssm4j),' || echo "ssm4j run at $T thread(s) failed (see above); continuing"
  echo "== PyTorch, $T thread(s)"
  "$PYTHON" ssm-bench/python/torch_bench.py --threads $T --budget "$BUDGET" --cases $CASES --out "$RESULTS/torch-t$T.csv" \
    || echo "PyTorch run at $T thread(s) failed; continuing"
done

export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
echo "== memory: ${MEMORY_STEPS:-10000} SSM-VR steps, small network"
$JAVA_MEMORY io.github.ssm4j.bench.BenchMain --memory-steps "${MEMORY_STEPS:-10000}" --out "$RESULTS/memory.csv" | grep -E '^[0-9s]'
echo "load after: $(uptime)" >> "$RESULTS/machine.txt"

$JAVA io.github.ssm4j.bench.SweepPlot "$RESULTS/d-sweep.png" "$RESULTS/java-t1.csv" "$RESULTS/torch-t1.csv"
"$PYTHON" ssm-bench/python/report.py "$RESULTS" | tee "$RESULTS/report.md"
