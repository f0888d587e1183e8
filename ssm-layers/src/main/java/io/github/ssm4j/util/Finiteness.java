package io.github.ssm4j.util;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one-reduction finiteness check that guards every training step (inputs, gradients, scores): true when
 * the array holds no NaN and no ±∞.
 *
 * <p>It sums absolute values: a NaN or an infinity makes the sum non-finite, and so — rarely — do finite
 * values whose magnitudes sum past the type's range; callers treat a false as "look closer" (they scan the
 * array to name the culprit, or refuse a step whose gradients are that large anyway).
 *
 * <p>Why not {@code INDArray.sumNumber()}: libnd4j's sum reduction is slow on this machine's native build —
 * measured ≈ 650 µs for the 1.07 M gradients of the 784-512-512-784 benchmark network, where BLAS
 * {@code sasum} takes ≈ 110 µs, and ≈ 50–80 µs of fixed cost on the small network's 17 k, where
 * {@code sasum} takes a few µs (docs/BENCHMARKS.md, change 10). So contiguous float and double arrays go to
 * BLAS {@code asum}; anything else (views with an offset or gaps, other types) to ND4J's sum.
 */
public final class Finiteness {
    private Finiteness() {
    }

    /** True when Σ|a| is finite: no NaN, no ±∞ (and no overflow of the sum; see the class comment). */
    public static boolean sumIsFinite(INDArray a) {
        if (a.isEmpty()) {
            return true;
        }
        DataType type = a.dataType();
        boolean blas = (type == DataType.FLOAT || type == DataType.DOUBLE) && a.offset() == 0
                && a.elementWiseStride() == 1 && a.length() == a.data().length() && a.length() < Integer.MAX_VALUE;
        double sum = blas ? Nd4j.getBlasWrapper().level1().asum(a) : a.sumNumber().doubleValue();
        return Double.isFinite(sum);
    }
}
