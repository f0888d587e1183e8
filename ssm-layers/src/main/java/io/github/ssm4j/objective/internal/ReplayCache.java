package io.github.ssm4j.objective.internal;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Executions of one graph through {@link ReplayProgram}s, keyed by the feed's signature and what is
 * computed: the first execution for a key runs in SameDiff and is traced; later ones replay it. Keys whose
 * execution cannot be replayed stay on SameDiff. A few programs are kept (full batches, the last partial
 * one, chunks), least recently used dropped first. Not thread-safe (one per sampler, evaluator or
 * gradient path). The arrays a program returns belong to it and are overwritten by its next run.
 */
public final class ReplayCache {
    /** Full batches, the last partial one, chunks — for steps and for evaluations, which have programs of their own. */
    private static final int MAX_PROGRAMS = 6;
    private final SameDiff graph;
    private final Map<String, ReplayProgram> programs = new LinkedHashMap<>(8, 0.75f, true);
    private final Map<String, String> notReplayable = new HashMap<>();

    public ReplayCache(SameDiff graph) {
        this.graph = graph;
    }

    /** The key of an execution of {@code outputs} on {@code feed}. */
    public static String key(Map<String, INDArray> feed, List<String> outputs) {
        return ReplayProgram.signature(feed) + String.join(",", outputs);
    }

    /** The values of {@code outputs} for {@code feed}, as {@code SameDiff.output} computes them. */
    public Map<String, INDArray> output(Map<String, INDArray> feed, String... outputs) {
        List<String> requested = List.of(outputs);
        ReplayProgram program = programs.get(key(feed, requested));
        return program != null ? program.run(feed)
                : execute(key(feed, requested), feed, requested, () -> graph.output(feed, outputs));
    }

    /** The program compiled for {@code key}, or null (none yet, or not replayable). */
    public ReplayProgram program(String key) {
        return programs.get(key);
    }

    /**
     * Runs {@code execution} (one SameDiff execution computing {@code requested} from {@code feed}), traced
     * unless this key was found not replayable before, and keeps the program compiled from it.
     */
    public <T> T execute(String key, Map<String, INDArray> feed, List<String> requested, Supplier<T> execution) {
        if (notReplayable.containsKey(key)) {
            return execution.get();
        }
        ReplayProgram.Traced<T> traced = ReplayProgram.trace(graph, feed, requested, execution);
        if (traced.program().isPresent()) {
            if (programs.size() >= MAX_PROGRAMS) {
                programs.remove(programs.keySet().iterator().next());
            }
            programs.put(key, traced.program().get());
        } else {
            notReplayable.put(key, traced.whyNot());
        }
        return traced.result();
    }

    /**
     * "replay (N ops; gradients for one factor: K matmul, M multiply; T tanh derivatives from the forward
     * pass; A products adding themselves; B bias gradients as products)" once a program exists, else "SameDiff", with the reason where replay was refused.
     */
    public String mode() {
        if (!notReplayable.isEmpty()) {
            return "SameDiff (not replayable: " + notReplayable.values().iterator().next() + ")";
        }
        if (programs.isEmpty()) {
            return "SameDiff";
        }
        ReplayProgram p = programs.values().iterator().next();
        return "replay (" + p.size() + " ops; gradients for one factor: " + p.singleFactorGradients("matmul_bp")
                + " matmul, " + p.singleFactorGradients("multiply_bp") + " multiply; " + p.tanhDerivativesFromForward()
                + " tanh derivatives from the forward pass; " + p.productsAddingThemselves()
                + " products adding themselves; " + p.biasGradientProducts() + " bias gradients as products)";
    }
}
