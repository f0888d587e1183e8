package io.github.ssm4j.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.model.ScoreFunction;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link NoisedData}: the wrapped objective evaluated on x + σz, checked against that objective evaluated on
 * data noised by hand, and against the closed form of ISM for Gaussian data and a linear score.
 */
class NoisedDataTest {
    private static final double SIGMA = 0.7;

    @Test
    void isTheWrappedObjectiveOnDataNoisedByHand() {
        int d = 3;
        int n = 6;
        ScoreFunction model = TestModels.tanhMlpScore(d, 5, 3, DataType.DOUBLE);
        INDArray x = TestModels.randn(1, DataType.DOUBLE, n, d);
        INDArray z = TestModels.randn(2, DataType.DOUBLE, n, d);
        INDArray v = TestModels.randn(3, DataType.DOUBLE, 1, n, d);
        SlicedScoreMatching ssmVr = SlicedScoreMatching.varianceReduced(Projection.GAUSSIAN);
        ObjectiveEvaluation wrapped = NoisedData.of(ssmVr, SIGMA).attach(model)
                .evaluate(x, null, new RandomDraws(v, z, null), true);
        ObjectiveEvaluation byHand = ssmVr.attach(TestModels.tanhMlpScore(d, 5, 3, DataType.DOUBLE))
                .evaluate(x.add(z.mul(SIGMA)), null, RandomDraws.ofProjections(v), true);
        assertEquals(byHand.loss(), wrapped.loss(), 1e-12);
        assertEquals(byHand.terms().keySet(), wrapped.terms().keySet());
        for (String w : byHand.gradients().keySet()) {
            assertEquals(0.0, byHand.gradients().get(w).sub(wrapped.gradients().get(w)).amaxNumber().doubleValue(),
                    1e-12, w);
        }
    }

    @Test
    void ismOnNoisedGaussianDataMatchesTheClosedForm() {
        // p = N(0, I_D), s(x) = −a x: per example ½a²‖x + σz‖² − aD, expectation ½a²(1 + σ²)D − aD
        int d = 4;
        int n = 20_000;
        double a = 0.8;
        Supplier<ScoreFunction> model = () -> TestModels.linearScore(
                Nd4j.eye(d).muli(-a).castTo(DataType.DOUBLE), Nd4j.zeros(DataType.DOUBLE, d));
        ObjectiveGraph graph = NoisedData.of(ImplicitScoreMatching.exact(), SIGMA).attach(model.get());
        INDArray x = TestModels.randn(5, DataType.DOUBLE, n, d);
        RandomDraws draws = graph.draw(x, new SplittableRandom(9));
        assertNotNull(draws.noise());
        double expected = 0.5 * a * a * (1 + SIGMA * SIGMA) * d - a * d;
        // ‖x + σz‖² ~ (1 + σ²)χ²_D has variance 2D(1 + σ²)²: the mean's standard error is ½a²(1 + σ²)√(2D/N);
        // 5 standard errors, so a correct implementation fails about once in 3·10⁶ runs
        double tolerance = 5 * 0.5 * a * a * (1 + SIGMA * SIGMA) * Math.sqrt(2.0 * d / n);
        assertEquals(expected, graph.evaluate(x, draws).loss(), tolerance);
        // without the noise the same data give ½a²D − aD, a whole 40 standard errors away
        double clean = 0.5 * a * a * d - a * d;
        assertTrue(Math.abs(expected - clean) > 8 * tolerance);
        assertEquals(clean, ImplicitScoreMatching.exact().attach(model.get()).evaluate(x, RandomDraws.none()).loss(),
                tolerance);
    }

    @Test
    void refusesWhatItCannotWrapAndRoundTripsAsJson() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> NoisedData.of(DenoisingScoreMatching.withSigma(0.1), 0.3)).getMessage().contains("already noises"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> NoisedData.of(ImplicitScoreMatching.exact(), 0)).getMessage().contains("positive"));
        NoisedData o = NoisedData.of(SlicedScoreMatching.varianceReduced(Projection.RADEMACHER), 0.25);
        assertEquals(o, ScoreMatchingObjective.fromJson(o.toJson()));
        assertEquals("ssm-vr+data-noise", o.name());
    }

    @Test
    void missingNoiseIsAClearError() {
        ObjectiveGraph graph = NoisedData.of(ImplicitScoreMatching.exact(), SIGMA)
                .attach(TestModels.linearScore(Nd4j.eye(2).castTo(DataType.DOUBLE), Nd4j.zeros(DataType.DOUBLE, 2)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> graph.evaluate(Nd4j.ones(DataType.DOUBLE, 3, 2), RandomDraws.none()));
        assertTrue(e.getMessage().contains("noise z shaped like x [3, 2]"), e.getMessage());
    }
}
