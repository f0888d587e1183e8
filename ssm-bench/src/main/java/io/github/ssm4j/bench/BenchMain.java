package io.github.ssm4j.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The timing driver {@code run.sh} uses: for each case, build it, warm up, time single steps, and print one CSV
 * row (the same columns as {@code python/torch_bench.py}) with the median step time, the sgemm limit and the
 * memory peaks; cpu_ms is the calling thread's CPU time per step (median), which on a shared machine is less
 * inflated by other processes than the wall time (at 1 thread ND4J and OpenBLAS compute on the calling
 * thread; GC and ND4J's deallocator threads are not counted). {@code --threads} sets ND4J's loops and the BLAS;
 * set OMP_NUM_THREADS and OPENBLAS_NUM_THREADS to the same count (run.sh does), or a warning says they differ.
 *
 * <pre>
 * java -cp ... io.github.ssm4j.bench.BenchMain --threads 1 --cases headline,sweep --out java.csv
 * java -cp ... io.github.ssm4j.bench.BenchMain --memory-steps 10000
 * </pre>
 * Cases: {@code headline} (small and large, every objective, DL4J path, except ISM on the large network, plus
 * SSM-VR on the SameDiff path),
 * {@code sweep} (SSM and ISM for D in 2, 8, 32, 128, 512 at width 128), or single cases
 * {@code size:objective:path} such as {@code large:ssm-vr:samediff} or {@code d32:ism:dl4j}.
 */
public final class BenchMain {
    static final String HEADER = "side,threads,size,d,w,n,objective,path,steps,median_ms,mean_ms,min_ms,cpu_ms,"
            + "gflop_step,sgemm_gflops,limit_ms,limit_ratio,heap_peak_mb,offheap_peak_mb,rss_peak_mb,faults_per_step";
    static final int[] SWEEP = {2, 8, 32, 128, 512};

    private BenchMain() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = options(args);
        int threads = Integer.parseInt(opt.getOrDefault("threads", "1"));
        useThreads(threads);
        double budget = Double.parseDouble(opt.getOrDefault("budget", "1"));
        Path out = opt.containsKey("out") ? Path.of(opt.get("out")) : null;
        if (opt.containsKey("memory-steps")) {
            memoryRun(Integer.parseInt(opt.get("memory-steps")), out);
            return;
        }
        List<String[]> cases = cases(opt.getOrDefault("cases", "headline"));
        Map<Integer, Double> sgemm = new HashMap<>();
        emit(out, HEADER, true);
        for (String[] c : cases) {
            int[] dw = size(c[0]);
            Objective o = Objective.of(c[1]);
            StepCase.Path path = StepCase.Path.valueOf(c[2].toUpperCase(Locale.ROOT));
            double rate = sgemm.computeIfAbsent(dw[1], w -> Sgemm.gflops(StepCase.BATCH, w, w, 1.0));
            emit(out, measure(new StepCase(o, path, dw[0], dw[1], StepCase.BATCH, 42), c[0], threads, rate,
                    budget * (dw[1] > 128 ? 4 : 1)), false);
        }
    }

    /**
     * Sets ND4J's loops and the BLAS to {@code threads}. Without the BLAS call, a run with --threads 1 but no
     * OPENBLAS_NUM_THREADS measured sgemm on both cores (141 GFLOP/s against 86) and so a wrong limit.
     * A differing OMP_NUM_THREADS or OPENBLAS_NUM_THREADS is reported, because PyTorch's side of run.sh and
     * libnd4j's OpenMP pool take their counts from the environment.
     */
    static void useThreads(int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
        for (String variable : List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")) {
            String value = System.getenv(variable);
            if (value == null || !value.trim().equals(Integer.toString(threads))) {
                System.err.println("warning: --threads " + threads + " but " + variable + " is "
                        + (value == null ? "unset" : value) + "; set it to " + threads + " as run.sh does");
            }
        }
    }

    static String measure(StepCase c, String size, int threads, double sgemmGflops, double budgetSeconds) {
        Memory mem = new Memory();
        mem.reset();
        long warmStart = System.nanoTime();
        // at least 2 s of warm-up (0.5 s of budget 1 was less than the JIT needs); the first score-matching case
        // of a JVM is still ~3× slower than later ones — see docs/BENCHMARKS.md, "Order effects"
        long warmEnd = warmStart + (long) (Math.max(2.0, budgetSeconds * 0.5) * 1e9);
        c.step();
        // a step longer than the whole budget (ISM at large D) is timed once after one warm-up step
        int minSteps = System.nanoTime() - warmStart > budgetSeconds * 1e9 ? 1 : 3;
        for (int i = 1; minSteps > 1 && (i < 2 || (System.nanoTime() < warmEnd && i < 2000)); i++) {
            c.step();
        }
        List<Double> ms = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        java.lang.management.ThreadMXBean os = java.lang.management.ManagementFactory.getThreadMXBean();
        long faults0 = Memory.minorFaults();
        long end = System.nanoTime() + (long) (budgetSeconds * 1e9);
        while (ms.size() < minSteps || (System.nanoTime() < end && ms.size() < 500)) {
            long c0 = os.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            c.step();
            ms.add((System.nanoTime() - t0) / 1e6);
            cpu.add((os.getCurrentThreadCpuTime() - c0) / 1e6);
            mem.sample();
        }
        double faults = (Memory.minorFaults() - faults0) / (double) ms.size();
        double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = sorted[sorted.length / 2];
        double cpuMedian = cpu.stream().mapToDouble(Double::doubleValue).sorted().toArray()[cpu.size() / 2];
        double mean = Arrays.stream(sorted).average().orElse(Double.NaN);
        double gflop = c.flops() / 1e9;
        double limitMs = gflop / sgemmGflops * 1e3;
        return String.format(Locale.ROOT, "ssm4j,%d,%s,%d,%d,%d,%s,%s,%d,%.3f,%.3f,%.3f,%.3f,%.4f,%.1f,%.3f,%.3f,%.0f,%.0f,%.0f,%.0f",
                threads, size, c.d(), c.width(), c.batch(), c.objective().id(), c.path().name().toLowerCase(Locale.ROOT),
                sorted.length, median, mean, sorted[0], cpuMedian, gflop, sgemmGflops, limitMs, median / limitMs,
                Memory.heapPeak() / 1048576.0, mem.offHeapPeak() / 1048576.0, mem.rssPeak() / 1048576.0, faults);
    }

    /** SSM-VR on the small network, DL4J path, for {@code steps} steps; heap, off-heap and RSS every 1000 steps. */
    static void memoryRun(int steps, Path out) throws IOException {
        StepCase c = new StepCase(Objective.SSM_VR, StepCase.Path.DL4J, StepCase.SMALL_D, StepCase.SMALL_W,
                StepCase.BATCH, 42);
        emit(out, "step,heap_used_mb,offheap_mb,rss_mb,rss_after_gc_mb,heap_after_gc_mb,seconds", true);
        long t0 = System.nanoTime();
        for (int i = 1; i <= steps; i++) {
            c.step();
            if (i % 1000 == 0 || i == 100) {
                double heap = Memory.heapUsed() / 1048576.0;
                double rss = Pointer.physicalBytes() / 1048576.0;
                double seconds = (System.nanoTime() - t0) / 1e9;
                // what is retained: ND4J frees native buffers when their Java objects are collected
                System.gc();
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                emit(out, String.format(Locale.ROOT, "%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f", i, heap,
                        Pointer.totalBytes() / 1048576.0, rss, Pointer.physicalBytes() / 1048576.0,
                        Memory.heapUsed() / 1048576.0, seconds), false);
            }
        }
    }

    static List<String[]> cases(String spec) {
        List<String[]> list = new ArrayList<>();
        for (String part : spec.split(",")) {
            switch (part) {
                case "headline" -> {
                    for (String size : List.of("small", "large")) {
                        for (Objective o : Objective.values()) {
                            // ISM on the large network is 784 JVPs per example (about 1.3 TFLOP a step): run it
                            // explicitly (large:ism:dl4j) when needed; the D-sweep shows how ISM scales
                            if (!(o == Objective.ISM && size.equals("large"))) {
                                list.add(new String[] {size, o.id(), "dl4j"});
                            }
                        }
                        list.add(new String[] {size, "ssm-vr", "samediff"});
                        list.add(new String[] {size, "ssm-vr", "session"});
                    }
                }
                case "sweep" -> {
                    for (int d : SWEEP) {
                        list.add(new String[] {"d" + d, "ssm", "dl4j"});
                        list.add(new String[] {"d" + d, "ism", "dl4j"});
                    }
                }
                default -> {
                    String[] c = part.split(":");
                    if (c.length != 3) {
                        throw new IllegalArgumentException("A case is size:objective:path, got '" + part + "'");
                    }
                    list.add(c);
                }
            }
        }
        return list;
    }

    /** small → (2, 128), large → (784, 512), dN → (N, 128). */
    static int[] size(String name) {
        return switch (name) {
            case "small" -> new int[] {StepCase.SMALL_D, StepCase.SMALL_W};
            case "large" -> new int[] {StepCase.LARGE_D, StepCase.LARGE_W};
            default -> {
                if (!name.startsWith("d")) {
                    throw new IllegalArgumentException("Size is small, large or dN, got '" + name + "'");
                }
                yield new int[] {Integer.parseInt(name.substring(1)), StepCase.SMALL_W};
            }
        };
    }

    private static void emit(Path out, String line, boolean header) throws IOException {
        PrintStream console = System.out;
        console.println(line);
        console.flush();
        if (out != null && !(header && Files.exists(out) && Files.size(out) > 0)) {
            Files.writeString(out, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("Options are --name value pairs; got " + Arrays.toString(args));
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }
}
