package io.github.ssm4j.autodiff;

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
     * SameDiff gradient fails (reduce_sum_bp shape error).
     */
    public static SDVariable logSumExp(SameDiff sd, SDVariable x, boolean keepDims, int... dims) {
        int[] d = dims;
        if (d == null || d.length == 0) {
            long[] shape = x.getShape();
            if (shape == null) {
                throw new IllegalArgumentException("logSumExp over all dimensions needs the rank of " + x.name()
                        + "; give the dimensions explicitly");
            }
            d = new int[shape.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = i;
            }
        }
        SDVariable shift = sd.math.floor(sd.max(x, true, d));
        SDVariable sumExp = sd.sum(sd.math.exp(x.sub(shift)), keepDims, d);
        SDVariable shiftOut = keepDims ? shift : sd.math.floor(sd.max(x, false, d));
        return sd.math.log(sumExp).add(shiftOut);
    }
}
