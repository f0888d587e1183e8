package io.github.ssm4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.model.ScoreFunction;
import io.github.ssm4j.objective.DenoisingScoreMatching;
import io.github.ssm4j.objective.FiniteDifferenceSsm;
import io.github.ssm4j.objective.ImplicitScoreMatching;
import io.github.ssm4j.objective.ObjectiveGraph;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import io.github.ssm4j.objective.SlicedScoreMatching;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Training a linear score s(x) = Wx + b on Gaussian data recovers the precision matrix: for a sample with
 * mean μ̂ and covariance Σ̂ (1/n), the exact ISM minimiser is W = −Σ̂⁻¹, b = Σ̂⁻¹μ̂; sliced objectives have
 * the same minimiser in expectation over v; DSM at noise σ has W = −(Σ̂ + σ²I)⁻¹ in expectation over z.
 */
class GaussianRecoveryTest {
    private static final int N = 1000;

    private final double[][] data = sample();
    private final double[] mean = new double[2];
    private final double[][] cov = new double[2][2];

    GaussianRecoveryTest() {
        for (double[] r : data) {
            mean[0] += r[0] / N;
            mean[1] += r[1] / N;
        }
        for (double[] r : data) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    cov[i][j] += (r[i] - mean[i]) * (r[j] - mean[j]) / N;
                }
            }
        }
    }

    private static double[][] sample() {
        SplittableRandom rng = new SplittableRandom(7);
        double[][] x = new double[N][2];
        for (double[] r : x) {
            double z0 = rng.nextGaussian();
            double z1 = rng.nextGaussian();
            r[0] = 0.5 + Math.sqrt(2.0) * z0;                                  // Σ = [[2, .6], [.6, 1]], μ = (.5, −1)
            r[1] = -1.0 + 0.6 / Math.sqrt(2.0) * z0 + Math.sqrt(0.82) * z1;
        }
        return x;
    }

    private static ObjectiveGraph linearModel(ScoreMatchingObjective objective) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 2);
        SDVariable w = sd.var("W", Nd4j.createFromArray(new double[][] {{-0.3, 0.1}, {0.0, -0.2}}));
        SDVariable b = sd.var("b", Nd4j.zeros(DataType.DOUBLE, 2));
        return objective.attach(ScoreFunction.ofScore(x, sd.mmul(x, w, false, true, false).add(b)));
    }

    /** −(Σ̂ + σ²I)⁻¹. */
    private double[][] expectedW(double sigma) {
        double a = cov[0][0] + sigma * sigma;
        double d = cov[1][1] + sigma * sigma;
        double det = a * d - cov[0][1] * cov[1][0];
        return new double[][] {{-d / det, cov[0][1] / det}, {cov[1][0] / det, -a / det}};
    }

    private static double maxAbsDiff(INDArray w, double[][] expected) {
        double m = 0;
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                m = Math.max(m, Math.abs(w.getDouble(i, j) - expected[i][j]));
            }
        }
        return m;
    }

    @Test
    void fullBatchIsmConvergesToTheSamplePrecision() {
        ObjectiveGraph graph = linearModel(ImplicitScoreMatching.exact());
        GraphTrainer trainer = GraphTrainer.builder(graph).updater(new Sgd(0.3)).build();
        INDArray x = Nd4j.createFromArray(data);
        double first = trainer.step(x).loss();
        double last = first;
        for (int i = 0; i < 600; i++) {
            last = trainer.step(x).loss();
        }
        assertTrue(last < first);
        INDArray w = graph.model().sameDiff().getVariable("W").getArr();
        // deterministic gradient descent on a strongly convex quadratic: converges linearly far below 1e-8
        assertTrue(maxAbsDiff(w, expectedW(0)) < 1e-8, "W = " + w + " expected " + java.util.Arrays.deepToString(expectedW(0)));
        double[][] p = expectedW(0);
        INDArray b = graph.model().sameDiff().getVariable("b").getArr();
        assertEquals(-(p[0][0] * mean[0] + p[0][1] * mean[1]), b.getDouble(0), 1e-8);
        assertEquals(-(p[1][0] * mean[0] + p[1][1] * mean[1]), b.getDouble(1), 1e-8);
    }

    @Test
    void stochasticObjectivesRecoverThePrecisionWithinTheirNoise() {
        INDArray x = Nd4j.createFromArray(data);
        record Case(ScoreMatchingObjective objective, double sigma) {
        }
        for (Case c : new Case[] {
            new Case(SlicedScoreMatching.varianceReduced(Projection.RADEMACHER), 0),
            new Case(SlicedScoreMatching.standard(Projection.GAUSSIAN), 0),
            new Case(FiniteDifferenceSsm.of(Projection.RADEMACHER, 0.1), 0),
            new Case(DenoisingScoreMatching.withSigma(0.3), 0.3)}) {
            ObjectiveGraph graph = linearModel(c.objective());
            GraphTrainer trainer = GraphTrainer.builder(graph).updater(new Adam(0.02)).seed(3).build();
            for (int i = 0; i < 300; i++) {
                trainer.step(x);
            }
            // average the last iterates: the projections/noise make each step's gradient random
            INDArray average = Nd4j.zeros(DataType.DOUBLE, 2, 2);
            int tail = 100;
            trainer = GraphTrainer.builder(graph).updater(new Sgd(0.01)).seed(4).build();
            for (int i = 0; i < tail; i++) {
                trainer.step(x);
                average.addi(graph.model().sameDiff().getVariable("W").getArr().div(tail));
            }
            // the expected-loss minimiser is exact; what remains is the stochastic-gradient noise of the
            // averaged iterates, a few per cent of ‖W‖ ≈ 1.3 at this step size and N
            double error = maxAbsDiff(average, expectedW(c.sigma()));
            assertTrue(error < 0.06, c.objective().name() + ": W = " + average + " expected "
                    + java.util.Arrays.deepToString(expectedW(c.sigma())) + " (error " + error + ")");
        }
    }

    @Test
    void aNonFiniteLossStopsTrainingNamingTheStepAndLeavesTheWeights() {
        ObjectiveGraph graph = linearModel(SlicedScoreMatching.varianceReduced(Projection.RADEMACHER));
        GraphTrainer trainer = GraphTrainer.builder(graph).updater(new Sgd(0.1)).build();
        trainer.step(Nd4j.createFromArray(data));
        graph.model().sameDiff().getVariable("W").getArr().putScalar(0, 0, 1e300);
        INDArray before = graph.model().sameDiff().getVariable("b").getArr().dup();
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> trainer.step(Nd4j.createFromArray(data)));
        assertTrue(e.getMessage().contains("Step 1"), e.getMessage());
        assertEquals(before, graph.model().sameDiff().getVariable("b").getArr());
    }
}
