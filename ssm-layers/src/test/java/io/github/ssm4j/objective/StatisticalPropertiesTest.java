package io.github.ssm4j.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.model.ScoreFunction;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Unbiasedness, the seed's theorem and variance ordering, checked by Monte Carlo against exact values.
 * Every bound is five standard errors of the Monte Carlo estimate, computed from the same sample: a
 * correct implementation fails with probability below 1e-6 per check, and the seeds are fixed anyway.
 */
class StatisticalPropertiesTest {
    private static final double Z = 5.0;

    /** Mean and standard error of a sample. */
    private record Estimate(double mean, double standardError, double variance, double varianceStandardError) {
        static Estimate of(double[] a) {
            double mean = 0;
            for (double v : a) {
                mean += v / a.length;
            }
            double m2 = 0;
            double m4 = 0;
            for (double v : a) {
                double c = (v - mean) * (v - mean);
                m2 += c / a.length;
                m4 += c * c / a.length;
            }
            return new Estimate(mean, Math.sqrt(m2 / a.length), m2, Math.sqrt((m4 - m2 * m2) / a.length));
        }
    }

    private static double[] rowLosses(ObjectiveGraph graph, INDArray x, RandomDraws draws) {
        double[] total = null;
        for (INDArray t : graph.rowTerms(x, draws).values()) {
            double[] v = t.reshape(-1).toDoubleVector();
            if (total == null) {
                total = v;
            } else {
                for (int i = 0; i < v.length; i++) {
                    total[i] += v[i];
                }
            }
        }
        return total;
    }

    @ParameterizedTest
    @EnumSource(Projection.class)
    void slicedObjectivesAverageToIsmTimesTheProjectionScale(Projection projection) {
        int d = 3;
        INDArray x = TestModels.randn(5, DataType.DOUBLE, 4, d);
        double ism = ImplicitScoreMatching.exact().attach(TestModels.tanhMlpScore(d, 8, 40, DataType.DOUBLE))
                .evaluate(x, RandomDraws.none()).loss();
        double scale = projection.covarianceScale(d);
        boolean[] forms = projection == Projection.UNIT_SPHERE ? new boolean[] {false} : new boolean[] {false, true};
        for (boolean vr : forms) {
            ObjectiveGraph graph = new SlicedScoreMatching(projection, 5000, vr)
                    .attach(TestModels.tanhMlpScore(d, 8, 40, DataType.DOUBLE));
            RandomDraws draws = graph.draw(x, new SplittableRandom(7));
            Estimate e = Estimate.of(rowLosses(graph, x, draws));
            assertEquals(scale * ism, e.mean(), Z * e.standardError(), projection + " vr=" + vr);
            // the graph's loss is the same average of the same rows
            assertEquals(e.mean(), graph.evaluate(x, null, draws, false).loss(), 1e-9);
        }
    }

    @Test
    void seedTheoremPsmMinusSsmIsTheSameConstantForEveryTheta() {
        // data x ~ N(μ, Σ) with known score s*(x) = −Σ⁻¹(x − μ); C = ½E[(vᵀs*)²] = ½·c·tr(Σ⁻¹), E[vvᵀ] = c·I
        int n = 20000;
        double[] mu = {0.5, -1.0};
        double[][] chol = {{Math.sqrt(2.0), 0}, {0.6 / Math.sqrt(2.0), Math.sqrt(1.0 - 0.18)}}; // Σ = [[2,.6],[.6,1]]
        double[][] precision = invert2(new double[][] {{2.0, 0.6}, {0.6, 1.0}});
        SplittableRandom rng = new SplittableRandom(2024);
        double[][] xs = new double[n][2];
        for (double[] row : xs) {
            double z0 = rng.nextGaussian();
            double z1 = rng.nextGaussian();
            row[0] = mu[0] + chol[0][0] * z0;
            row[1] = mu[1] + chol[1][0] * z0 + chol[1][1] * z1;
        }
        INDArray x = Nd4j.createFromArray(xs);
        double[][][] thetas = {
            {{-1, 0}, {0, -1}, {0, 0}},
            {{-0.7, 0.4}, {0.2, -1.5}, {0.3, 0.8}},
            {{0.5, -0.3}, {0.1, 0.2}, {-1, 2}}};
        for (Projection projection : new Projection[] {Projection.RADEMACHER, Projection.UNIT_SPHERE}) {
            double c = 0.5 * projection.covarianceScale(2) * (precision[0][0] + precision[1][1]);
            for (double[][] theta : thetas) {
                INDArray w = Nd4j.createFromArray(new double[][] {theta[0], theta[1]});
                INDArray b = Nd4j.createFromArray(theta[2]);
                ObjectiveGraph graph = SlicedScoreMatching.standard(projection).attach(TestModels.linearScore(w, b));
                RandomDraws draws = graph.draw(x, new SplittableRandom(99));
                double[] ssm = rowLosses(graph, x, draws);
                double[] diff = new double[n];
                for (int r = 0; r < n; r++) {
                    double vs = 0;
                    for (int i = 0; i < 2; i++) {
                        double model = theta[2][i] + theta[i][0] * xs[r][0] + theta[i][1] * xs[r][1];
                        double truth = -(precision[i][0] * (xs[r][0] - mu[0]) + precision[i][1] * (xs[r][1] - mu[1]));
                        vs += draws.projections().getDouble(0, r, i) * (model - truth);
                    }
                    diff[r] = 0.5 * vs * vs - ssm[r];
                }
                Estimate e = Estimate.of(diff);
                assertEquals(c, e.mean(), Z * e.standardError(), projection + " θ=" + java.util.Arrays.deepToString(theta));
            }
        }
    }

    @Test
    void varianceOrderingForTheHalfSquaredNormEnergy() {
        int d = 8;
        int n = 20000;
        INDArray x = TestModels.randn(31, DataType.DOUBLE, n, d);
        // per-example variance over x ~ N(0, I) and v together (docs/score-matching.md)
        Map<SlicedScoreMatching, Double> expected = Map.of(
                SlicedScoreMatching.varianceReduced(Projection.RADEMACHER), d / 2.0,
                SlicedScoreMatching.varianceReduced(Projection.SCALED_SPHERE), d / 2.0,
                SlicedScoreMatching.varianceReduced(Projection.GAUSSIAN), 5.0 * d / 2,
                SlicedScoreMatching.standard(Projection.RADEMACHER), d * d / 2.0,
                SlicedScoreMatching.standard(Projection.GAUSSIAN), d * d / 2.0 + 1.5 * d);
        double vrRademacher = 0;
        double vrGaussian = 0;
        double ssmRademacher = 0;
        for (Map.Entry<SlicedScoreMatching, Double> c : expected.entrySet()) {
            ObjectiveGraph graph = c.getKey().attach(TestModels.halfSquaredNormEnergy(d));
            Estimate e = Estimate.of(rowLosses(graph, x, graph.draw(x, new SplittableRandom(5))));
            assertEquals(c.getValue(), e.variance(), Z * e.varianceStandardError(), c.getKey().toString());
            assertEquals(-d / 2.0, e.mean(), Z * e.standardError(), "mean ISM of ½‖x‖² is −D/2: " + c.getKey());
            if (c.getKey().equals(SlicedScoreMatching.varianceReduced(Projection.RADEMACHER))) {
                vrRademacher = e.variance();
            } else if (c.getKey().equals(SlicedScoreMatching.varianceReduced(Projection.GAUSSIAN))) {
                vrGaussian = e.variance();
            } else if (c.getKey().equals(SlicedScoreMatching.standard(Projection.RADEMACHER))) {
                ssmRademacher = e.variance();
            }
        }
        assertTrue(vrRademacher < vrGaussian && vrGaussian < ssmRademacher,
                "SSM-VR Rademacher < SSM-VR Gaussian < SSM Rademacher: " + vrRademacher + ", " + vrGaussian + ", "
                        + ssmRademacher);
    }

    private static double[][] invert2(double[][] a) {
        double det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
        return new double[][] {{a[1][1] / det, -a[0][1] / det}, {-a[1][0] / det, a[0][0] / det}};
    }
}
