package io.github.ssm4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.ssm4j.util.QuietSameDiff;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * At non-smooth points (relu and abs at 0, tied maxima, max pooling with ties) there is no derivative to
 * check against finite differences; ssm4j follows SameDiff's own gradient convention there. These tests
 * compare our VJP with SameDiff's gradient exactly at such points.
 */
class NonSmoothConventionTest {

    private static void assertVjpMatchesSameDiff(double[][] x, BiFunction<SameDiff, SDVariable, SDVariable> f) {
        INDArray xv = Nd4j.createFromArray(x);
        SameDiff ref = SameDiff.create();
        SDVariable xr = ref.var("x", xv.dup());
        ref.setLossVariables(ref.sum(f.apply(ref, xr)));
        INDArray expected = QuietSameDiff.call(() -> ref.calculateGradients(Map.of(), "x")).get("x");

        SameDiff sd = SameDiff.create();
        SDVariable xp = sd.placeHolder("x", DataType.DOUBLE, -1, x[0].length);
        SDVariable y = f.apply(sd, xp);
        SDVariable vjp = Vjp.of(y, xp, sd.onesLike(y));
        INDArray actual = sd.output(Map.of("x", xv), vjp.name()).get(vjp.name());
        assertEquals(expected, actual);
    }

    @Test
    void reluAndAbsAtZeroHaveZeroDerivative() {
        assertVjpMatchesSameDiff(new double[][] {{0, -1, 1}, {0, 2, -0.5}}, (sd, x) -> sd.nn.relu(x, 0.0));
        assertVjpMatchesSameDiff(new double[][] {{0, -1, 1}, {0, 2, -0.5}}, (sd, x) -> sd.math.abs(x));
    }

    /**
     * Max pooling at ties: the whole derivative of a window goes to its first maximum in scan order (row by
     * row), exactly as in SameDiff's maxpool gradient. Inputs from {0, 1, 2} tie in most windows; a 2×3
     * kernel on 5×6 (one row left over) tells rows from columns. VJPs must equal SameDiff's gradient
     * exactly (both select cotangent entries); the JVP must select the tangent at the positions SameDiff's
     * gradient marks, summed per window in plain Java.
     */
    @ParameterizedTest(name = "NHWC {0}")
    @ValueSource(booleans = {false, true})
    void maxPoolSendsTheDerivativeToTheFirstOfTiedMaxima(boolean nhwc) {
        Pooling2DConfig cfg = Pooling2DConfig.builder().kH(2).kW(3).sH(2).sW(3).isNHWC(nhwc).build();
        long[] shape = nhwc ? new long[] {2, 5, 6, 2} : new long[] {2, 2, 5, 6};
        long[] outShape = nhwc ? new long[] {2, 2, 2, 2} : new long[] {2, 2, 2, 2};
        Random random = new Random(GraphCheck.SEED);
        INDArray x = Nd4j.create(DataType.DOUBLE, shape);
        INDArray t = Nd4j.create(DataType.DOUBLE, shape);
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, random.nextInt(3));
            t.putScalar(i, random.nextGaussian());
        }
        INDArray u = Nd4j.create(DataType.DOUBLE, outShape);
        for (long i = 0; i < u.length(); i++) {
            u.putScalar(i, random.nextGaussian());
        }

        SameDiff sd = SameDiff.create();
        long[] declared = shape.clone();
        declared[0] = -1;
        SDVariable xp = sd.placeHolder("x", DataType.DOUBLE, declared);
        SDVariable tp = sd.placeHolder("t", DataType.DOUBLE, declared);
        long[] uDeclared = outShape.clone();
        uDeclared[0] = -1;
        SDVariable up = sd.placeHolder("u", DataType.DOUBLE, uDeclared);
        SDVariable y = sd.cnn.maxPooling2d(xp, cfg);
        SDVariable vjp = Vjp.of(y, xp, up);
        SDVariable vjpOnes = Vjp.of(y, xp, sd.onesLike(y));
        SDVariable jvp = Jvp.of(y, xp, tp);
        Map<String, INDArray> ours = sd.output(Map.of("x", x, "t", t, "u", u), vjp.name(), vjpOnes.name(), jvp.name());

        for (INDArray cotangent : new INDArray[] {u, Nd4j.ones(DataType.DOUBLE, outShape)}) {
            SameDiff ref = SameDiff.create();
            SDVariable xv = ref.var("x", x.dup());
            ref.setLossVariables(ref.sum(ref.cnn.maxPooling2d(xv, cfg).mul(ref.constant(cotangent))));
            INDArray theirs = QuietSameDiff.call(() -> ref.calculateGradients(Map.of(), "x")).get("x");
            INDArray mine = ours.get(cotangent == u ? vjp.name() : vjpOnes.name());
            assertEquals(theirs, mine, "VJP at ties vs SameDiff's maxpool gradient");
            if (cotangent != u) {
                // theirs marks each window's chosen element with 1: the JVP must pick t there
                assertEquals(windowSums(theirs.mul(t), nhwc, outShape), ours.get(jvp.name()), "JVP at ties");
            }
        }
    }

    /** Σ over each non-overlapping 2×3 window (plain loops), in the pooled layout. */
    private static INDArray windowSums(INDArray v, boolean nhwc, long[] outShape) {
        INDArray r = Nd4j.zeros(DataType.DOUBLE, outShape);
        for (int n = 0; n < outShape[0]; n++) {
            for (int ch = 0; ch < 2; ch++) {
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 2; j++) {
                        double s = 0;
                        for (int a = 0; a < 2; a++) {
                            for (int b = 0; b < 3; b++) {
                                int h = 2 * i + a;
                                int w = 3 * j + b;
                                s += nhwc ? v.getDouble(n, h, w, ch) : v.getDouble(n, ch, h, w);
                            }
                        }
                        if (nhwc) {
                            r.putScalar(new long[] {n, i, j, ch}, s);
                        } else {
                            r.putScalar(new long[] {n, ch, i, j}, s);
                        }
                    }
                }
            }
        }
        return r;
    }

    @Test
    void maxSendsTheDerivativeToTheFirstOfTiedMaxima() {
        assertVjpMatchesSameDiff(new double[][] {{1, 1, 0}, {2, 3, 3}, {5, 5, 5}}, (sd, x) -> sd.max(x, false, 1));
        assertVjpMatchesSameDiff(new double[][] {{1, 1, 0}, {1, 3, 3}, {1, 0, 3}}, (sd, x) -> sd.max(x, true, 0));
    }
}
