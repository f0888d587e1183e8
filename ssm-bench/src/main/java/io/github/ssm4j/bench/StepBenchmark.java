package io.github.ssm4j.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: the time of one training step for every (size, objective, path) of {@link StepCase}. Short settings
 * (2 × 2 s warm-up, 3 × 2 s measurement, one fork) so the whole matrix runs in about ten minutes; narrow it
 * with {@code -p}:
 *
 * <pre>
 * OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 java -cp ssm-bench/target/classes:$(cat ssm-bench/target/classpath.txt) \
 *     org.openjdk.jmh.Main StepBenchmark -p size=small -p objective=ssm-vr,plain
 * </pre>
 * {@link BenchMain} times the same cases without JMH, next to the PyTorch script ({@code run.sh}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=3G",
        "-Dorg.bytedeco.javacpp.maxphysicalbytes=6G"})
public class StepBenchmark {
    @Param({"small", "large"})
    public String size;

    @Param({"plain", "ssm", "ssm-vr", "ism", "dsm", "fd-ssm"})
    public String objective;

    @Param({"dl4j", "samediff", "session"})
    public String path;

    private StepCase step;

    @Setup
    public void setUp() {
        int[] dw = BenchMain.size(size);
        step = new StepCase(Objective.of(objective), StepCase.Path.valueOf(path.toUpperCase(java.util.Locale.ROOT)),
                dw[0], dw[1], StepCase.BATCH, 42);
    }

    @Benchmark
    public void step() {
        step.step();
    }
}
