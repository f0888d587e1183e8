package io.github.ssm4j.examples.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Samplers: reproducible from a seed, of the right shape and type, with the exact moments (within five
 * standard errors), and consistent with their scores through Stein's identity E[s(x)] = 0,
 * E[x sᵀ(x)] = −I (integration by parts), which ties each sampler to its score independently of the
 * log-density code.
 */
class ToySamplingTest {
    private static final int N = 200_000;
    private static final double Z = 5;

    private static void assertMoment(double[][] xs, ToDoubleFunction<double[]> f, double exact, String what) {
        double[] m = ToyAssertions.meanAndError(xs, f);
        assertEquals(exact, m[0], Z * m[1], what + ": sample mean " + m[0] + " ± " + m[1]);
    }

    @Test
    void samplesAreReproducibleFromTheSeed() {
        for (ToyDistribution p : ToyScoreTest.allToys()) {
            INDArray a = p.sample(500, 42);
            INDArray b = p.sample(500, 42);
            INDArray c = p.sample(500, 43);
            assertEquals(DataType.FLOAT, a.dataType(), p.name());
            assertArrayEquals(new long[] {500, 2}, a.shape(), p.name());
            assertEquals(a, b, p.name() + ": same seed, same samples");
            assertNotEquals(a, c, p.name() + ": another seed, other samples");
            INDArray d = p.sample(500, 42, DataType.DOUBLE);
            assertEquals(DataType.DOUBLE, d.dataType());
            assertEquals(a, d.castTo(DataType.FLOAT), p.name() + ": float64 rounds to the float32 samples");
            LabeledData labeled = p.sampleLabeled(500, 42, DataType.FLOAT);
            assertEquals(a, labeled.features());
            assertEquals(p.componentNames().size(), labeled.numClasses());
        }
    }

    @Test
    void mixtureMomentsMatchTheExactOnes() {
        for (GaussianMixture gm : new GaussianMixture[] {GaussianMixture.eightGaussians(), ToyScoreTest.anisotropic()}) {
            double[][] xs = ToyAssertions.samples(gm, N, 1);
            double[] mean = gm.mean();
            double[][] cov = gm.covariance();
            for (int i = 0; i < 2; i++) {
                int ii = i;
                assertMoment(xs, x -> x[ii], mean[i], "E[x" + i + "]");
                for (int j = i; j < 2; j++) {
                    int jj = j;
                    assertMoment(xs, x -> (x[ii] - mean[ii]) * (x[jj] - mean[jj]), cov[i][j], "Cov[" + i + "," + j + "]");
                }
            }
        }
    }

    @Test
    void ringMomentsMatchTheExactOnes() {
        Rings rings = Rings.defaults();
        double[][] xs = ToyAssertions.samples(rings, N, 2);
        double half = 0.5 * rings.meanSquaredRadius();
        assertMoment(xs, x -> x[0], 0, "E[x0]");
        assertMoment(xs, x -> x[1], 0, "E[x1]");
        assertMoment(xs, x -> x[0] * x[0], half, "E[x0²]");
        assertMoment(xs, x -> x[1] * x[1], half, "E[x1²]");
        assertMoment(xs, x -> x[0] * x[1], 0, "E[x0 x1]");
    }

    @Test
    void moonAndCheckerboardMomentsMatchTheExactOnes() {
        TwoMoons moons = TwoMoons.defaults();
        double s2 = moons.sigma() * moons.sigma();
        double[][] xs = ToyAssertions.samples(moons, N, 3);
        assertMoment(xs, x -> x[0], 0.5, "moons E[x0]");
        assertMoment(xs, x -> x[1], 0.25, "moons E[x1]");
        assertMoment(xs, x -> x[0] * x[0], 1 + s2, "moons E[x0²]");
        assertMoment(xs, x -> x[1] * x[1], 0.625 - 1 / Math.PI + s2, "moons E[x1²]");
        assertMoment(xs, x -> x[0] * x[1], 0.25 - 1 / Math.PI, "moons E[x0 x1]");

        Checkerboard board = Checkerboard.defaults();
        double b2 = board.sigma() * board.sigma();
        double[][] ys = ToyAssertions.samples(board, N, 4);
        assertMoment(ys, x -> x[0], 0, "checkerboard E[x0]");
        assertMoment(ys, x -> x[1], 0, "checkerboard E[x1]");
        assertMoment(ys, x -> x[0] * x[0], 1.25 + 1.0 / 12 + b2, "checkerboard E[x0²]");
        assertMoment(ys, x -> x[1] * x[1], 1.25 + 1.0 / 12 + b2, "checkerboard E[x1²]");
        assertMoment(ys, x -> x[0] * x[1], 0.25, "checkerboard E[x0 x1]");
    }

    @Test
    void samplersAndScoresSatisfySteinsIdentity() {
        for (ToyDistribution p : ToyScoreTest.allToys()) {
            double[][] xs = ToyAssertions.samples(p, 20_000, 7);
            double[][] ss = new double[xs.length][];
            for (int i = 0; i < xs.length; i++) {
                ss[i] = p.score(xs[i]);
            }
            double[][] rows = new double[xs.length][];
            for (int i = 0; i < xs.length; i++) {
                double[] x = xs[i];
                double[] s = ss[i];
                rows[i] = new double[] {s[0], s[1], x[0] * s[0], x[0] * s[1], x[1] * s[0], x[1] * s[1]};
            }
            double[] expected = {0, 0, -1, 0, 0, -1};
            String[] what = {"E[s0]", "E[s1]", "E[x0 s0]", "E[x0 s1]", "E[x1 s0]", "E[x1 s1]"};
            for (int k = 0; k < 6; k++) {
                int kk = k;
                assertMoment(rows, r -> r[kk], expected[k], p.name() + " " + what[k]);
            }
        }
    }

    @Test
    void indArrayMethodsFollowTheInputType() {
        TwoMoons moons = TwoMoons.defaults();
        INDArray x = moons.sample(7, 1, DataType.DOUBLE);
        INDArray s = moons.score(x);
        INDArray lp = moons.logDensity(x);
        assertEquals(DataType.DOUBLE, s.dataType());
        assertArrayEquals(new long[] {7, 2}, s.shape());
        assertArrayEquals(new long[] {7}, lp.shape());
        double[] row = {x.getDouble(3, 0), x.getDouble(3, 1)};
        assertArrayEquals(moons.score(row), new double[] {s.getDouble(3, 0), s.getDouble(3, 1)}, 0);
        assertEquals(moons.logDensity(row), lp.getDouble(3), 0);
        INDArray sf = moons.score(x.castTo(DataType.FLOAT));
        assertEquals(DataType.FLOAT, sf.dataType());
        assertEquals(0, moons.sample(0, 1).size(0));
        assertTrue(moons.scoreOracle().score(x, 0.5).equalsWithEps(s, 0));
    }

    @Test
    void iteratorServesShuffledMinibatchesEachEpoch() {
        DataSetIterator it = Checkerboard.defaults().iterator(250, 100, 3);
        int rows = 0;
        int batches = 0;
        INDArray first = null;
        while (it.hasNext()) {
            DataSet d = it.next();
            first = first == null ? d.getFeatures().dup() : first;
            assertEquals(2, d.getFeatures().size(1));
            assertEquals(8, d.getLabels().size(1));
            rows += d.getFeatures().size(0);
            batches++;
        }
        assertEquals(250, rows);
        assertEquals(3, batches);
        assertTrue(it.resetSupported());
        it.reset();
        INDArray again = it.next().getFeatures();
        assertEquals(100, again.size(0));
        assertNotEquals(first, again, "a new permutation each epoch");
        assertEquals(2, it.inputColumns());
        assertEquals(8, it.totalOutcomes());
    }
}
