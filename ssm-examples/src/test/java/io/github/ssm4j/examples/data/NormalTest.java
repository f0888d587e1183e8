package io.github.ssm4j.examples.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The special functions and quadrature rules under the toys' numerical scores. */
class NormalTest {

    /** erfcx(x) from SciPy 1.10.1 (scipy.special.erfcx), relative accuracy ~1e-16. */
    private static final double[][] ERFCX = {
        {0, 1.0}, {0.1, 0.8964569799691268}, {0.5, 0.6156903441929258}, {1.0, 0.427583576155807},
        {1.4999, 0.32160177950763413}, {1.5, 0.3215854164543176}, {2, 0.2553956763105058},
        {3, 0.17900115118138998}, {5, 0.11070463773306861}, {10, 0.05614099274382259},
        {26, 0.02168358485056291}, {100, 0.005641613782989433}, {1e4, 5.641895807268084e-05},
        {1e6, 5.641895835474742e-07}};

    /** log Q(z) = log P(Z > z) from SciPy 1.10.1 (scipy.special.log_ndtr(-z)). */
    private static final double[][] LOG_Q = {
        {0, -0.6931471805599453}, {1, -1.841021645009264}, {5, -15.064998393988727},
        {10, -53.23128515051248}, {40, -804.6084420137539}, {200, -20006.21728089819}};

    @Test
    void erfcxMatchesSciPy() {
        for (double[] p : ERFCX) {
            double got = Normal.erfcx(p[0]);
            assertEquals(p[1], got, 1e-14 * p[1], "erfcx(" + p[0] + ")");
        }
    }

    @Test
    void logUpperTailMatchesSciPyFarIntoTheTail() {
        for (double[] p : LOG_Q) {
            assertEquals(p[1], Normal.logUpperTail(p[0]), 1e-14 * Math.abs(p[1]), "log Q(" + p[0] + ")");
        }
    }

    @Test
    void inverseMillsRatioApproachesZ() {
        // φ(z)/Q(z) = z + 1/z − 2/z³ + O(z⁻⁵)
        for (double z : new double[] {20, 100, 1e4}) {
            double expected = z + 1 / z - 2 / (z * z * z);
            assertEquals(expected, Normal.inverseMills(z), 1e-12 * z + 10 / Math.pow(z, 5));
        }
        assertEquals(Normal.pdf(0) / 0.5, Normal.inverseMills(0), 1e-15);
    }

    @Test
    void gaussLegendreIsExactUpToDegree2nMinus1() {
        for (int n : new int[] {1, 2, 5, 16, 20}) {
            GaussLegendre gl = new GaussLegendre(n);
            double wsum = 0;
            for (double w : gl.weights) {
                wsum += w;
                assertTrue(w > 0);
            }
            assertEquals(2, wsum, 1e-14);
            for (int k = 0; k <= 2 * n - 1; k++) {
                double q = 0;
                for (int i = 0; i < n; i++) {
                    q += gl.weights[i] * Math.pow(gl.nodes[i], k);
                }
                double exact = k % 2 == 1 ? 0 : 2.0 / (k + 1);
                assertEquals(exact, q, 1e-14, "n=" + n + ", x^" + k);
            }
        }
    }
}
