package io.github.ssm4j.objective;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One evaluation of an objective on a batch: the loss, its named terms (they sum to the loss) and, when
 * requested, the gradient of the loss with respect to every trainable variable of the graph.
 *
 * <p>Stability: public API.
 */
public record ObjectiveEvaluation(double loss, Map<String, Double> terms, Map<String, INDArray> gradients) {
    public ObjectiveEvaluation {
        terms = Map.copyOf(terms);
        gradients = gradients == null ? Map.of() : Map.copyOf(gradients);
    }

    /** The value of one term ("norm", "projected_norm", "curvature", "trace", "denoising"). */
    public double term(String name) {
        Double v = terms.get(name);
        if (v == null) {
            throw new IllegalArgumentException("No term '" + name + "'; this objective has " + terms.keySet());
        }
        return v;
    }

    /** Gradient of the loss with respect to one trainable variable. */
    public INDArray gradient(String variable) {
        INDArray g = gradients.get(variable);
        if (g == null) {
            throw new IllegalArgumentException("No gradient for '" + variable + "'; gradients exist for "
                    + gradients.keySet() + (gradients.isEmpty() ? " (evaluate with gradients requested)" : ""));
        }
        return g;
    }
}
