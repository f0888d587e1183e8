package io.github.ssm4j.objective.internal;

import java.util.Arrays;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What {@link ProductAccumulation} and {@link BiasGradientProduct} share to decide, once per shape, whether a
 * rewrite onto BLAS rounds exactly like the ops it replaces: random inputs that make a different summation
 * order show, and enough trials that an output of a few elements is judged on thousands of sums.
 *
 * <p>Why so many: when the orders differ, a single output element still agrees by chance often enough (a
 * review found [1024, 1] bias gradients passing one trial while 46 of 50 trials differed), so trials repeat
 * until at least {@value #ELEMENTS} output elements have been compared, up to {@value #MAX_TRIALS} trials.
 * Inputs are Gaussian with magnitudes spread over 2⁻⁸…2⁸, so that partial sums of different sizes meet and
 * an order change moves the last bit far more often than with values of one scale.
 */
final class BlasRoundingProbe {
    static final int ELEMENTS = 8192;
    static final int MAX_TRIALS = 512;

    private BlasRoundingProbe() {
    }

    /** How many trials compare at least {@value #ELEMENTS} elements of an output of {@code outputLength}. */
    static int trials(long outputLength) {
        return (int) Math.max(1, Math.min(MAX_TRIALS, (ELEMENTS + outputLength - 1) / Math.max(1, outputLength)));
    }

    /** A fresh random array of this type, shape and element order. */
    static INDArray randomArray(DataType type, long[] shape, char order, Random random) {
        double[] values = new double[(int) Arrays.stream(shape).reduce(1, (p, q) -> p * q)];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextGaussian() * Math.scalb(1.0, random.nextInt(17) - 8);
        }
        return Nd4j.createFromArray(values).castTo(type).reshape(shape).dup(order);
    }

    /** libnd4j's {@code matmul} with these transpose flags and α, β, into {@code out}. */
    static void matmul(INDArray a, INDArray b, INDArray out, long[] flags, double alpha, double beta) {
        try (OpContext context = Nd4j.getExecutioner().buildContext()) {
            context.setIArguments(flags);
            context.setTArguments(alpha, beta);
            context.setInputArrays(a, b);
            context.setOutputArrays(out);
            Nd4j.exec(new Mmul(), context);
        } catch (Exception e) {
            throw new IllegalStateException("Probing a product's rounding failed", e);
        }
    }

    static boolean sameBits(INDArray a, INDArray b) {
        return Arrays.equals(a.castTo(DataType.DOUBLE).dup('c').data().asDouble(),
                b.castTo(DataType.DOUBLE).dup('c').data().asDouble());
    }

    /** Whether {@code a}'s elements lie one after another in its own element order (any order flag of a vector). */
    static boolean contiguous(INDArray a) {
        long[] canonical = Nd4j.getStrides(a.shape(), a.ordering());
        for (int d = 0; d < a.rank(); d++) {
            if (a.size(d) > 1 && a.stride(d) != canonical[d]) {
                return false;
            }
        }
        return true;
    }
}
