package io.github.ssm4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.ssm4j.util.QuietSameDiff;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * At non-smooth points (relu and abs at 0, tied maxima) there is no derivative to check against finite
 * differences; ssm4j follows SameDiff's own gradient convention there. These tests compare our VJP with
 * SameDiff's gradient exactly at such points.
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

    @Test
    void maxSendsTheDerivativeToTheFirstOfTiedMaxima() {
        assertVjpMatchesSameDiff(new double[][] {{1, 1, 0}, {2, 3, 3}, {5, 5, 5}}, (sd, x) -> sd.max(x, false, 1));
        assertVjpMatchesSameDiff(new double[][] {{1, 1, 0}, {1, 3, 3}, {1, 0, 3}}, (sd, x) -> sd.max(x, true, 0));
    }
}
