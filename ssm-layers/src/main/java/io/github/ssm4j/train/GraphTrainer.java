package io.github.ssm4j.train;

import io.github.ssm4j.objective.ObjectiveEvaluation;
import io.github.ssm4j.objective.ObjectiveGraph;
import io.github.ssm4j.objective.RandomDraws;
import io.github.ssm4j.train.internal.AdamKernel;
import io.github.ssm4j.train.internal.DeadParameterWatch;
import io.github.ssm4j.util.Finiteness;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Trains the weights of a hand-built SameDiff score model by a score-matching objective: each step draws
 * the objective's randomness from a seeded generator, evaluates loss and gradients
 * ({@link ObjectiveGraph#evaluate}) and applies an ND4J updater to every trainable variable.
 *
 * <p>The same seed and data give the same trajectory. A step whose loss or gradients are not finite throws
 * before any weight changes, naming the step and the variable.
 *
 * <pre>{@code
 * GraphTrainer trainer = GraphTrainer.builder(objective.attach(model)).updater(new Adam(1e-3)).seed(42).build();
 * for (INDArray x : batches) trainer.step(x);
 * }</pre>
 *
 * <p>Stability: public API.
 */
public final class GraphTrainer {
    private final ObjectiveGraph graph;
    private final SplittableRandom rng;
    private final Map<String, GradientUpdater<?>> updaters = new LinkedHashMap<>();
    private int iteration;
    private final DeadParameterWatch deadParameters = new DeadParameterWatch(DeadParameterWatch.DEFAULT_INTERVAL);

    private GraphTrainer(Builder b) {
        this.graph = b.graph;
        this.rng = new SplittableRandom(b.seed);
        for (String name : graph.model().trainableVariables()) {
            long n = graph.model().sameDiff().getVariable(name).getArr().length();
            long stateSize = b.updater.stateSize(n);
            INDArray state = stateSize == 0 ? null
                    : Nd4j.zeros(graph.model().dataType(), 1, stateSize);
            updaters.put(name, b.updater.clone().instantiate(state, true));
        }
        if (updaters.isEmpty()) {
            throw new IllegalArgumentException("The model's graph has no trainable variables (SameDiff VARIABLEs)");
        }
    }

    public static Builder builder(ObjectiveGraph graph) {
        return new Builder(graph);
    }

    /** One step on batch {@code x} with freshly drawn randomness; returns the evaluation before the update. */
    public ObjectiveEvaluation step(INDArray x) {
        return step(x, graph.drawForStep(x, rng));
    }

    /**
     * One step with explicit randomness. The gradients in the returned evaluation are arrays the graph
     * reuses at the next step ({@link ObjectiveGraph#evaluateForStep}): copy them to keep them.
     */
    public ObjectiveEvaluation step(INDArray x, RandomDraws draws) {
        ObjectiveEvaluation e;
        try {
            e = graph.evaluateForStep(x, null, draws);
        } catch (ArithmeticException ex) {
            throw new ArithmeticException("Step " + iteration + ": " + ex.getMessage());
        }
        for (Map.Entry<String, INDArray> g : e.gradients().entrySet()) {
            if (!Finiteness.sumIsFinite(g.getValue())) {
                throw new ArithmeticException("Step " + iteration + ": the gradient of '" + g.getKey()
                        + "' is not finite (loss " + e.loss() + "); the weights were left unchanged");
            }
        }
        for (Map.Entry<String, GradientUpdater<?>> u : updaters.entrySet()) {
            SDVariable variable = graph.model().sameDiff().getVariable(u.getKey());
            INDArray weights = variable.getArr();
            UpdateBuffer buffer = updateBuffers.computeIfAbsent(u.getKey(), k -> new UpdateBuffer());
            INDArray update = buffer.holding(e.gradient(u.getKey()), weights);
            if (!AdamKernel.tryApply(u.getValue(), update, iteration, 0)) {   // the same bits, faster
                u.getValue().applyUpdater(update, iteration, 0);
            }
            weights.subi(buffer.shapedLikeWeights());
        }
        iteration++;
        deadParameters.check(iteration, e.gradients());
        return e;
    }

    /**
     * Variables whose gradient was exactly zero at two checks in a row ({@value DeadParameterWatch#DEFAULT_INTERVAL}
     * steps apart): no path from the loss reaches them. Each is also logged once as a warning when found.
     */
    public Set<String> deadParameters() {
        return deadParameters.reported();
    }

    /** Steps taken so far. */
    public int iteration() {
        return iteration;
    }

    public ObjectiveGraph graph() {
        return graph;
    }

    private final Map<String, UpdateBuffer> updateBuffers = new HashMap<>();

    /**
     * The row vector an ND4J updater turns a gradient into an update in place, kept per variable: a fresh
     * copy every step (as before) is fresh off-heap memory every step, and on the 784-wide benchmark network
     * the page faults of touching it made this trainer's step ≈ 1.7× ScoreMatchingTrainer's (BENCHMARKS.md).
     */
    private static final class UpdateBuffer {
        private INDArray row;            // [1, n], what the updater sees
        private INDArray asWeights;      // the same memory, shaped like the weights

        /** The gradient copied into the buffer (cast to the weights' type), as the updater's row vector. */
        INDArray holding(INDArray gradient, INDArray weights) {
            if (row == null || row.dataType() != weights.dataType() || row.length() != weights.length()
                    || !java.util.Arrays.equals(asWeights.shape(), weights.shape())) {
                row = Nd4j.createUninitialized(weights.dataType(), 1, weights.length());
                asWeights = row.reshape(weights.shape());
            }
            INDArray typed = gradient.dataType() == row.dataType() ? gradient : gradient.castTo(row.dataType());
            asWeights.assign(java.util.Arrays.equals(typed.shape(), asWeights.shape()) ? typed
                    : typed.reshape(asWeights.shape()));
            return row;
        }

        INDArray shapedLikeWeights() {
            return asWeights;
        }
    }

    /** Builder: the objective graph, the updater (Adam 1e-3 by default) and the seed of the draws. */
    public static final class Builder {
        private final ObjectiveGraph graph;
        private IUpdater updater = new Adam(1e-3);
        private long seed = 42;

        private Builder(ObjectiveGraph graph) {
            this.graph = graph;
        }

        public Builder updater(IUpdater updater) {
            this.updater = updater;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public GraphTrainer build() {
            return new GraphTrainer(this);
        }
    }

    /** Names of the variables this trainer updates. */
    public List<String> trainableVariables() {
        return List.copyOf(updaters.keySet());
    }
}
