package io.github.ssm4j.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.model.ScoreFunction;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link NoiseLadder}: for the conditional linear score s(x, σ) = −a x/(1 + σ²) every term has a closed form
 * given the draws — ½‖s(x̃, σ)‖² = ½a²‖x̃‖²/(1 + σ²)², tr J = −aD/(1 + σ²), vᵀJv = −a‖v‖²/(1 + σ²) — so the
 * loss is computed here by hand, example by example, with x̃ = x + σz and weight σ²/N, and compared to 1e-10.
 * ISM in chunks and SSM-VR with two projections repeat the batch; the σ feed must follow.
 */
class NoiseLadderTest {
    private static final double A = 0.7;
    private static final double[] SIGMAS = {0.1, 0.5, 2.0};

    private static ScoreFunction conditionalLinear(int d) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, d);
        SDVariable sigma = sd.placeHolder("sigma", DataType.DOUBLE, -1, 1);
        SDVariable a = sd.var("a", Nd4j.scalar(A));
        SDVariable s = x.mul(a).neg().div(sigma.mul(sigma).add(1.0));
        return ScoreFunction.ofScore(x, s).conditionedOn(sigma);
    }

    /** The expected loss for the draws: mean over examples of σ²·(½a²‖x̃‖²/(1+σ²)² + curvature(σ)). */
    private static double byHand(INDArray x, RandomDraws draws, boolean exactTrace) {
        int n = (int) x.size(0);
        int d = (int) x.size(1);
        double total = 0;
        for (int i = 0; i < n; i++) {
            double sigma = SIGMAS[draws.noiseLevels()[i]];
            double c = 1 + sigma * sigma;
            double sq = 0;
            for (int j = 0; j < d; j++) {
                double xt = x.getDouble(i, j) + sigma * draws.noise().getDouble(i, j);
                sq += xt * xt;
            }
            double curvature;
            if (exactTrace) {
                curvature = -A * d / c;
            } else {
                INDArray v = draws.projections();
                int m = (int) v.size(0);
                double vv = 0;
                for (int k = 0; k < m; k++) {
                    for (int j = 0; j < d; j++) {
                        vv += v.getDouble(k, i, j) * v.getDouble(k, i, j);
                    }
                }
                curvature = -A * vv / m / c;
            }
            total += sigma * sigma * (0.5 * A * A * sq / (c * c) + curvature) / n;
        }
        return total;
    }

    @Test
    void ismInChunksMatchesTheClosedFormExampleByExample() {
        int d = 5;
        INDArray x = TestModels.randn(1, DataType.DOUBLE, 9, d);
        ObjectiveGraph graph = NoiseLadder.of(ImplicitScoreMatching.exact().withChunkSize(2), SIGMAS)
                .attach(conditionalLinear(d));
        RandomDraws draws = graph.draw(x, new SplittableRandom(3));
        assertEquals(byHand(x, draws, true), graph.evaluate(x, draws).loss(), 1e-10);
    }

    @Test
    void ssmVrWithTwoProjectionsMatchesTheClosedFormExampleByExample() {
        int d = 4;
        INDArray x = TestModels.randn(2, DataType.DOUBLE, 7, d);
        ObjectiveGraph graph = NoiseLadder.of(SlicedScoreMatching.varianceReduced(Projection.GAUSSIAN)
                .withProjections(2), SIGMAS).attach(conditionalLinear(d));
        RandomDraws draws = graph.draw(x, new SplittableRandom(4));
        ObjectiveEvaluation e = graph.evaluate(x, null, draws, true);
        assertEquals(byHand(x, draws, false), e.loss(), 1e-10);
        assertTrue(e.gradient("a").getDouble(0) != 0, "the weight gets a gradient");
    }

    @Test
    void refusesUnconditionalModelsDsmAndBadDraws() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NoiseLadder.of(ImplicitScoreMatching.exact(), SIGMAS).attach(TestModels.squareScore(2)));
        assertTrue(e.getMessage().contains("needs a model s(x, σ)"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> NoiseLadder.of(DenoisingScoreMatching.withSigma(0.1), SIGMAS)).getMessage()
                .contains("already noises"));
        assertThrows(IllegalArgumentException.class, () -> NoiseLadder.of(ImplicitScoreMatching.exact(), new double[0]));
        ObjectiveGraph graph = NoiseLadder.of(ImplicitScoreMatching.exact(), SIGMAS).attach(conditionalLinear(2));
        IllegalArgumentException noDraws = assertThrows(IllegalArgumentException.class,
                () -> graph.evaluate(Nd4j.ones(DataType.DOUBLE, 3, 2), RandomDraws.none()));
        assertTrue(noDraws.getMessage().contains("one level index per example (3)"), noDraws.getMessage());
        // without the ladder the sliced objective still refuses a conditional model, naming the way out
        IllegalArgumentException plain = assertThrows(IllegalArgumentException.class,
                () -> SlicedScoreMatching.varianceReduced(Projection.RADEMACHER).attach(conditionalLinear(2)));
        assertTrue(plain.getMessage().contains("NoiseLadder"), plain.getMessage());
    }

    @Test
    void roundTripsAsJson() {
        NoiseLadder o = NoiseLadder.of(SlicedScoreMatching.varianceReduced(Projection.RADEMACHER), SIGMAS);
        assertEquals(o, ScoreMatchingObjective.fromJson(o.toJson()));
        assertEquals("ncsn-ssm-vr", o.name());
    }
}
