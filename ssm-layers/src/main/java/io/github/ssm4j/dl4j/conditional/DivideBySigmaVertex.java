package io.github.ssm4j.dl4j.conditional;

import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Divides a score by the noise level: s(x, σ) = s(x)/σ, the output parameterisation of Song and Ermon,
 * "Improved Techniques for Training Score-Based Generative Models" (NeurIPS 2020). The score of data noised
 * at level σ has magnitude about 1/σ, so a network that outputs s(x)·σ ≈ O(1) at every level and is divided
 * here covers the whole schedule without conditioning its weights on σ at all. No parameters.
 *
 * <pre>{@code
 * .addVertex("score", new DivideBySigmaVertex(), "unscaled", "sigma")
 * .addLayer("out", new CnnLossLayer.Builder().activation(Activation.IDENTITY).lossFunction(...).build(), "score")
 * }</pre>
 * Works for activations of any rank ([N, D], [N, C, T], images in either format): σ [N, 1] is broadcast over
 * everything but the batch.
 *
 * <p>Stability: public API.
 */
public class DivideBySigmaVertex extends SigmaConditionedVertex {
    private static final long serialVersionUID = 1L;

    public DivideBySigmaVertex() {
    }

    @Override
    protected SDVariable define(SameDiff sd, SDVariable h, SDVariable sigma, Map<String, SDVariable> params,
                                long[] shape) {
        return h.div(broadcastable(sd, sigma, shape.length));
    }

    @Override
    protected SigmaConditionedVertex copyConfiguration() {
        return new DivideBySigmaVertex();
    }

    @Override
    public String toString() {
        return "DivideBySigmaVertex()";
    }
}
