package io.github.ssm4j.autodiff;

import io.github.ssm4j.autodiff.internal.Reductions;
import io.github.ssm4j.autodiff.internal.StaticShapes;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Numerically stable compositions of ops that SameDiff offers as single ops whose own gradient is broken
 * in ND4J 1.0.0-M2.1. Each is built only from ops that have derivative rules and correct SameDiff
 * gradients, so the result can be differentiated by {@link Jvp}, {@link Vjp} and SameDiff, to any order.
 *
 * <p>Stability: public API.
 */
public final class StableOps {
    private StableOps() {
    }

    /**
     * log Σ exp(x) over {@code dims} (all dimensions when none are given), computed as
     * {@code m + log Σ exp(x − m)} with the shift {@code m = floor(max x)}.
     *
     * <p>Any constant shift gives the same value; the floor makes the shift piecewise constant, so its
     * derivative is exactly zero both in ssm4j's rules and in SameDiff's backprop (no cancelling
     * {@code ∂max} terms), while {@code x − m ≤ 1} keeps exp from overflowing and the largest term
     * {@code ≥ 1} keeps the log away from −∞. Use it instead of {@code sd.math.logSumExp}, whose
     * SameDiff gradient fails (reduce_sum_bp shape error). Its reductions work at batch size 1 too (a plain
     * {@code sd.max}/{@code sd.sum} over the batch of a rank-2 array fails there in ND4J 1.0.0-M2.1, see
     * docs/AUTODIFF.md). The static shape of {@code x} is inferred as for {@link Jvp}: placeholders must
     * declare every dimension but the batch.
     */
    public static SDVariable logSumExp(SameDiff sd, SDVariable x, boolean keepDims, int... dims) {
        return Reductions.logSumExp(sd, x, StaticShapes.of(sd).shapeOf(x), keepDims, dims);
    }
}
