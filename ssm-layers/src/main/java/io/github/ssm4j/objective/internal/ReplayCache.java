package io.github.ssm4j.objective.internal;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Forward executions ({@code SameDiff.output}) of one graph through {@link ReplayProgram}s: the first
 * execution for a feed signature and set of outputs runs in SameDiff and is traced; later ones replay it.
 * Not thread-safe (one per sampler or evaluator). The arrays returned belong to the program and are
 * overwritten by its next run: copy what is kept.
 */
public final class ReplayCache {
    private static final int MAX_PROGRAMS = 4;
    private final SameDiff graph;
    private final Map<String, ReplayProgram> programs = new LinkedHashMap<>(8, 0.75f, true);
    private final Map<String, String> notReplayable = new HashMap<>();

    public ReplayCache(SameDiff graph) {
        this.graph = graph;
    }

    /** The values of {@code outputs} for {@code feed}, as {@code SameDiff.output} computes them. */
    public Map<String, INDArray> output(Map<String, INDArray> feed, String... outputs) {
        String key = ReplayProgram.signature(feed) + String.join(",", outputs);
        ReplayProgram program = programs.get(key);
        if (program != null) {
            return program.run(feed);
        }
        if (notReplayable.containsKey(key)) {
            return graph.output(feed, outputs);
        }
        ReplayProgram.Traced<Map<String, INDArray>> traced = ReplayProgram.trace(graph, feed, List.of(outputs),
                () -> graph.output(feed, outputs));
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

    /** "replay" once a program exists, else "SameDiff", with the reason where replay was refused. */
    public String mode() {
        if (!notReplayable.isEmpty()) {
            return "SameDiff (not replayable: " + notReplayable.values().iterator().next() + ")";
        }
        return programs.isEmpty() ? "SameDiff" : "replay";
    }
}
