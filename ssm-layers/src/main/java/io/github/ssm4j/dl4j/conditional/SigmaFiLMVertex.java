package io.github.ssm4j.dl4j.conditional;

import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * FiLM conditioning on the noise level: h·(1 + γ(log σ)) + β(log σ), with γ and β linear in log σ and one
 * value per channel (see {@link SigmaAffineVertex} for the parameters). It lets a single score network
 * s(x, σ) change its features with σ, as NCSN's conditional normalisation does (Song and Ermon, "Generative
 * Modeling by Estimating Gradients of the Data Distribution", NeurIPS 2019), but without normalising, so it
 * fits anywhere — after a dense layer ([N, C]), a recurrent one ([N, C, T]) or a convolution ([N, C, H, W]
 * or NHWC).
 *
 * <pre>{@code
 * .addVertex("film", SigmaFiLMVertex.builder().channels(64).build(), "conv1", "sigma")
 * }</pre>
 * The vertex starts as the identity (all parameters zero).
 *
 * <p>Stability: public API.
 */
public class SigmaFiLMVertex extends SigmaAffineVertex {
    private static final long serialVersionUID = 1L;

    /** C inferred from the graph's input types, NCHW images. */
    public SigmaFiLMVertex() {
    }

    private SigmaFiLMVertex(Builder b) {
        super(b.channels, b.dataFormat);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected SDVariable define(SameDiff sd, SDVariable h, SDVariable sigma, Map<String, SDVariable> params,
                                long[] shape) {
        return modulate(sd, h, sigma, params, shape);
    }

    @Override
    protected SigmaConditionedVertex copyConfiguration() {
        SigmaFiLMVertex copy = new SigmaFiLMVertex();
        copyShapeTo(copy);
        return copy;
    }

    /** Builder: {@code SigmaFiLMVertex.builder().channels(C).dataFormat(CNN2DFormat.NHWC).build()}. */
    public static final class Builder {
        private long channels;
        private CNN2DFormat dataFormat = CNN2DFormat.NCHW;

        private Builder() {
        }

        /** The number of channels C (default: inferred from the graph's input types). */
        public Builder channels(long channels) {
            this.channels = channels;
            return this;
        }

        /** Where image activations keep their channels (default NCHW). */
        public Builder dataFormat(CNN2DFormat dataFormat) {
            this.dataFormat = dataFormat;
            return this;
        }

        public SigmaFiLMVertex build() {
            return new SigmaFiLMVertex(this);
        }
    }
}
