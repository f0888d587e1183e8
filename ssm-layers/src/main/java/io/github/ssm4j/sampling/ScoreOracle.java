package io.github.ssm4j.sampling;

import io.github.ssm4j.model.ScoreFunction;
import io.github.ssm4j.objective.internal.ReplayCache;
import io.github.ssm4j.util.OffHeapCollector;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Evaluates a score s(x) (or s(x, σ) for noise-conditional models) on a batch; what samplers need.
 *
 * <p>Stability: public API.
 */
@FunctionalInterface
public interface ScoreOracle {
    /**
     * @param x batch of points, shape {@code [N, ...]}
     * @param sigma the noise level, for noise-conditional models (ignored by unconditional ones)
     * @return s(x), shaped like x
     */
    INDArray score(INDArray x, double sigma);

    /**
     * A SameDiff score function (score network or energy model, conditional or not). Executions after the
     * first for a batch shape replay a traced program (see {@code ReplayProgram}); the oracle is therefore
     * for one thread.
     */
    static ScoreOracle of(ScoreFunction model) {
        String score = model.score().name();
        ReplayCache executions = new ReplayCache(model.sameDiff());
        return (x, sigma) -> {
            Map<String, INDArray> feed = new HashMap<>();
            feed.put(model.input().name(), x.castTo(model.dataType()));
            if (model.isConditional()) {
                long[] shape = model.noiseLevel().placeholderShape().length == 1 ? new long[] {x.size(0)}
                        : new long[] {x.size(0), 1};
                feed.put(model.noiseLevel().name(), Nd4j.valueArrayOf(shape, sigma, model.dataType()));
            }
            INDArray s = executions.output(feed, score).get(score).dup(); // the program's array is reused
            OffHeapCollector.afterExecution();
            return s;
        };
    }

    /** A DL4J score network: its output is s(x). */
    static ScoreOracle of(MultiLayerNetwork scoreNetwork) {
        return (x, sigma) -> scoreNetwork.output(x, false);
    }
}
