package io.github.ssm4j.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Projection draws: the Rademacher sampler's branch-free sign is exactly {@code nextBoolean() ? 1 : −1} on the
 * same stream (so a seed keeps giving the draws it gave), and its moments are those of independent ±1 signs.
 */
class ProjectionSamplingTest {
    @Test
    void rademacherDrawsAreNextBooleanSignsOfTheSameStream() {
        int d = 7;
        double[] drawn = new double[d * 500];
        Projection.RADEMACHER.sample(new SplittableRandom(2026), drawn, d);
        SplittableRandom reference = new SplittableRandom(2026);
        double[] expected = new double[drawn.length];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = reference.nextBoolean() ? 1.0 : -1.0;
        }
        assertArrayEquals(expected, drawn, 0.0);
    }

    @Test
    void rademacherSignsAreBalancedAndUncorrelated() {
        int d = 4;
        int n = 200_000;
        double[] v = new double[d * n];
        Projection.RADEMACHER.sample(new SplittableRandom(7), v, d);
        double mean = 0;
        double cross = 0;
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < d; i++) {
                assertTrue(v[k * d + i] == 1.0 || v[k * d + i] == -1.0, "±1 only");
                mean += v[k * d + i];
            }
            cross += v[k * d] * v[k * d + 1];
        }
        // each sum of independent ±1 has standard deviation √count: 5σ bounds (false alarm ≈ 6e-7 each)
        assertEquals(0.0, mean, 5 * Math.sqrt(d * (double) n), "E[v_i] = 0");
        assertEquals(0.0, cross, 5 * Math.sqrt(n), "E[v_0 v_1] = 0");
    }
}
