package io.github.ssm4j.train.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * {@link AdamKernel} against two independent computations: ND4J's own Adam (libnd4j's {@code adam_updater}), bit
 * for bit over runs of iterations that include 3605 — the one iteration below 200,000 where DL4J's default Adam
 * step size comes out different if β^(t+1) is taken from Java's {@code Math.pow} instead of the C library's
 * (measured) — and that jump between power tables; and Adam's recurrence written out in doubles. Also: it
 * declines, touching nothing, where it does not apply.
 */
class AdamKernelTest {
    /** One running state stepped at these iterations (an updater takes any iteration it is given). */
    private static final int[] ITERATIONS = java.util.stream.IntStream.concat(
            java.util.stream.IntStream.rangeClosed(0, 40), java.util.stream.IntStream.of(870, 871, 872, 873, 1023, 1024,
                    3603, 3604, 3605, 3606, 3607, 2047, 99_999, 100_000)).toArray();

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void equalsNd4jsAdamBitForBit(DataType type) {
        // The generic x86-64 build (the project's default) agrees; a build that fuses multiply-adds may not,
        // and then the kernel must decline rather than differ.
        assertTrue(AdamKernel.backendAgrees(type), "the default native build should agree with the Java kernel");
        int n = 3 * 2048 + 17;   // several chunks and a ragged end
        Adam config = new Adam(2e-3, 0.9, 0.999, 1e-8);
        // the moments as DL4J keeps them: two halves of one state row, so the kernel reads views with offsets
        GradientUpdater<?> ours = config.instantiate(Nd4j.zeros(type, 1, 2L * n), true);
        GradientUpdater<?> nd4j = config.instantiate(Nd4j.zeros(type, 1, 2L * n), true);
        INDArray oursState = Nd4j.zeros(type, 1, 2L * n);
        Random random = new Random(5);
        for (int t : ITERATIONS) {
            double[] g = new double[n];
            for (int i = 0; i < n; i++) {
                g[i] = random.nextGaussian() * Math.pow(10, random.nextInt(7) - 4);
            }
            INDArray a = Nd4j.createFromArray(g).castTo(type).reshape(1, n);
            INDArray b = a.dup();
            assertTrue(AdamKernel.tryApply(ours, a, t, 0), "the kernel applies to plain Adam on a row vector");
            nd4j.applyUpdater(b, t, 0);
            assertArrayEquals(b.castTo(DataType.DOUBLE).toDoubleVector(), a.castTo(DataType.DOUBLE).toDoubleVector(),
                    0.0, type + " update at iteration " + t);
        }
        assertArrayEquals(nd4j.getState().get("M").castTo(DataType.DOUBLE).toDoubleVector(),
                ours.getState().get("M").castTo(DataType.DOUBLE).toDoubleVector(), 0.0, "first moment");
        assertArrayEquals(nd4j.getState().get("V").castTo(DataType.DOUBLE).toDoubleVector(),
                ours.getState().get("V").castTo(DataType.DOUBLE).toDoubleVector(), 0.0, "second moment");
    }

    @ParameterizedTest
    @ValueSource(doubles = {1e-3, 0.3})
    void followsAdamsRecurrenceInDoubles(double lr) {
        int n = 2500;
        double beta1 = 0.8;
        double beta2 = 0.99;
        double eps = 1e-6;
        GradientUpdater<?> ours = new Adam(lr, beta1, beta2, eps).instantiate(Nd4j.zeros(DataType.FLOAT, 1, 2L * n), true);
        double[] m = new double[n];
        double[] v = new double[n];
        double[] mSize = new double[n];   // the same recurrence on |g|: the size of the terms m is summed from
        Random random = new Random(9);
        for (int t = 1; t <= 60; t++) {
            double[] g = new double[n];
            for (int i = 0; i < n; i++) {
                g[i] = random.nextGaussian() * (1 + i % 5);
            }
            INDArray a = Nd4j.createFromArray(g).castTo(DataType.FLOAT).reshape(1, n);
            double[] gf = a.castTo(DataType.DOUBLE).toDoubleVector();   // what the kernel sees
            assertTrue(AdamKernel.tryApply(ours, a, t - 1, 0));
            double[] update = a.castTo(DataType.DOUBLE).toDoubleVector();
            double alpha = lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
            for (int i = 0; i < n; i++) {
                m[i] = beta1 * m[i] + (1 - beta1) * gf[i];
                mSize[i] = beta1 * mSize[i] + (1 - beta1) * Math.abs(gf[i]);
                v[i] = beta2 * v[i] + (1 - beta2) * gf[i] * gf[i];
                double expected = alpha * m[i] / (Math.sqrt(v[i]) + eps);
                // float32 state: each step rounds m and v (relative 6e-8 of the terms summed, so of mSize for m,
                // which can cancel to far less), and the rounding compounds over 60 steps; 2e-5 of the terms'
                // size is ≈ 300 float ulps, far below any formula error (a wrong bias correction or ε placement
                // is off by > 1e-3 relative in the first steps)
                double tolerance = 2e-5 * alpha * mSize[i] / (Math.sqrt(v[i]) + eps) + 1e-12;
                assertEquals(expected, update[i], tolerance, "step " + t + " [" + i + "]");
            }
        }
    }

    @org.junit.jupiter.api.Test
    void declinesWhereItDoesNotApplyAndTouchesNothing() {
        int n = 64;
        INDArray g = Nd4j.rand(DataType.FLOAT, 1, n);
        INDArray before = g.dup();

        GradientUpdater<?> nesterovs = new Nesterovs(0.1, 0.9).instantiate(Nd4j.zeros(DataType.FLOAT, 1, n), true);
        assertFalse(AdamKernel.tryApply(nesterovs, g, 0, 0), "not Adam");

        GradientUpdater<?> zeroEpsilon = new Adam(1e-3, 0.9, 0.999, 0.0).instantiate(Nd4j.zeros(DataType.FLOAT, 1, 2L * n), true);
        assertFalse(AdamKernel.tryApply(zeroEpsilon, g, 0, 0), "ε = 0");

        GradientUpdater<?> adam = new Adam(1e-3).instantiate(Nd4j.zeros(DataType.FLOAT, 1, 2L * n), true);
        INDArray column = Nd4j.rand(DataType.FLOAT, n, 3).get(NDArrayIndex.all(), NDArrayIndex.point(1));
        INDArray columnBefore = column.dup();
        assertFalse(AdamKernel.tryApply(adam, column, 0, 0), "a strided view is not one run of memory");
        assertEquals(columnBefore, column);

        GradientUpdater<?> doubleAdam = new Adam(1e-3).instantiate(Nd4j.zeros(DataType.DOUBLE, 1, 2L * n), true);
        assertFalse(AdamKernel.tryApply(doubleAdam, g, 0, 0), "gradient and moments of different types");

        assertFalse(AdamKernel.tryApply(adam, Nd4j.rand(DataType.FLOAT, 1, n + 1), 0, 0), "length differs");
        assertEquals(before, g, "a declined call leaves the gradient alone");
        assertEquals(0.0, adam.getState().get("M").sumNumber().doubleValue(), "and the moments");
    }
}
