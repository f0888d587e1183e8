package io.github.ssm4j.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.model.ScoreFunction;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The objectives against each other and against direct float64 computations of their definitions. */
class ObjectiveConsistencyTest {
    /** Float64 graphs computing one function two ways: agreement to accumulated rounding. */
    private static final double SAME = 1e-9;

    private static void assertSameEvaluation(ObjectiveEvaluation a, ObjectiveEvaluation b, double tol, String what) {
        assertEquals(a.loss(), b.loss(), tol * Math.max(1, Math.abs(a.loss())), what + ": loss");
        for (String t : a.terms().keySet()) {
            assertEquals(a.term(t), b.term(t), tol * Math.max(1, Math.abs(a.term(t))), what + ": term " + t);
        }
        assertEquals(a.gradients().keySet(), b.gradients().keySet(), what);
        for (String v : a.gradients().keySet()) {
            INDArray ga = a.gradient(v).castTo(DataType.DOUBLE);
            INDArray gb = b.gradient(v).castTo(DataType.DOUBLE);
            double scale = Math.max(1, ga.amaxNumber().doubleValue());
            assertTrue(ga.sub(gb).amaxNumber().doubleValue() <= tol * scale,
                    what + ": gradient of " + v + " differs by " + ga.sub(gb).amaxNumber());
        }
    }

    @Test
    void energyAndScoreParameterisationsOfOneFunctionAgree() {
        int d = 3;
        INDArray x = TestModels.randn(8, DataType.DOUBLE, 5, d);
        List<ScoreMatchingObjective> objectives = List.of(
                SlicedScoreMatching.standard(Projection.GAUSSIAN).withProjections(2),
                SlicedScoreMatching.varianceReduced(Projection.RADEMACHER),
                ImplicitScoreMatching.exact());
        for (ScoreMatchingObjective o : objectives) {
            ObjectiveGraph energy = o.attach(TestModels.softplusEnergy(d, 6, 3));
            ObjectiveGraph score = o.attach(TestModels.softplusEnergyAsScore(d, 6, 3));
            RandomDraws draws = energy.draw(x, new SplittableRandom(1));
            assertSameEvaluation(energy.evaluate(x, draws), score.evaluate(x, draws), SAME, o.name());
        }
    }

    @Test
    void chunkedIsmEqualsOnePass() {
        int d = 3;
        INDArray x = TestModels.randn(9, DataType.DOUBLE, 4, d);
        ObjectiveEvaluation whole = ImplicitScoreMatching.exact().attach(TestModels.tanhMlpScore(d, 5, 1, DataType.DOUBLE))
                .evaluate(x, RandomDraws.none());
        for (int k : new int[] {1, 2}) {
            ObjectiveEvaluation chunked = ImplicitScoreMatching.exact().withChunkSize(k)
                    .attach(TestModels.tanhMlpScore(d, 5, 1, DataType.DOUBLE)).evaluate(x, RandomDraws.none());
            assertSameEvaluation(whole, chunked, SAME, "chunk " + k);
        }
    }

    @Test
    void ismTraceMatchesCentralDifferencesOfTheScore() {
        int d = 3;
        int n = 4;
        INDArray x = TestModels.randn(10, DataType.DOUBLE, n, d);
        ScoreFunction model = TestModels.tanhMlpScore(d, 7, 2, DataType.DOUBLE);
        String s = model.output().name();
        double h = 1e-5;
        double trace = 0;
        double norm = 0;
        INDArray s0 = model.sameDiff().output(Map.of("x", x), s).get(s);
        for (int i = 0; i < d; i++) {
            INDArray plus = x.dup();
            INDArray minus = x.dup();
            plus.get(NDArrayIndex.all(), NDArrayIndex.point(i)).addi(h);
            minus.get(NDArrayIndex.all(), NDArrayIndex.point(i)).subi(h);
            INDArray sp = model.sameDiff().output(Map.of("x", plus), s).get(s);
            INDArray sm = model.sameDiff().output(Map.of("x", minus), s).get(s);
            for (int r = 0; r < n; r++) {
                trace += (sp.getDouble(r, i) - sm.getDouble(r, i)) / (2 * h) / n;
            }
        }
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < d; i++) {
                norm += 0.5 * s0.getDouble(r, i) * s0.getDouble(r, i) / n;
            }
        }
        ObjectiveEvaluation ism = ImplicitScoreMatching.exact().attach(model).evaluate(x, RandomDraws.none());
        // central differences: truncation O(h²) ≈ 1e-10, rounding ≈ 1e-16/h ≈ 1e-11
        assertEquals(trace, ism.term("trace"), 1e-8);
        assertEquals(norm, ism.term("norm"), SAME);
    }

    @Test
    void finiteDifferenceSsmConvergesToSsmAtSecondOrder() {
        int d = 3;
        INDArray x = TestModels.randn(12, DataType.DOUBLE, 6, d);
        for (boolean energy : new boolean[] {false, true}) {
            for (boolean vr : energy ? new boolean[] {false} : new boolean[] {false, true}) {
                ScoreFunction exactModel = energy ? TestModels.softplusEnergy(d, 6, 4)
                        : TestModels.tanhMlpScore(d, 6, 4, DataType.DOUBLE);
                ObjectiveGraph exact = new SlicedScoreMatching(Projection.RADEMACHER, 1, vr).attach(exactModel);
                RandomDraws draws = exact.draw(x, new SplittableRandom(3));
                double target = exact.evaluate(x, draws).loss();
                double[] errors = new double[2];
                double eps = 0.02;
                for (int k = 0; k < 2; k++) {
                    FiniteDifferenceSsm fd = new FiniteDifferenceSsm(Projection.RADEMACHER, 1, eps / (1 << k), vr);
                    ScoreFunction model = energy ? TestModels.softplusEnergy(d, 6, 4)
                            : TestModels.tanhMlpScore(d, 6, 4, DataType.DOUBLE);
                    errors[k] = fd.attach(model).evaluate(x, draws).loss() - target;
                }
                // bias a·ε² + O(ε⁴): halving ε divides it by 4 (to a few per cent at these ε); rounding ≲ 1e-11
                double ratio = errors[0] / errors[1];
                assertEquals(4.0, ratio, 0.2, "energy=" + energy + " vr=" + vr + " errors " + errors[0] + ", "
                        + errors[1]);
                assertTrue(Math.abs(errors[0]) < 1e-2 * Math.max(1, Math.abs(target)));
            }
        }
    }

    @Test
    void denoisingLossMatchesItsDefinition() {
        int d = 2;
        int n = 5;
        double sigma = 0.3;
        INDArray x = TestModels.randn(13, DataType.DOUBLE, n, d);
        INDArray z = TestModels.randn(14, DataType.DOUBLE, n, d);
        ScoreFunction model = TestModels.tanhMlpScore(d, 5, 6, DataType.DOUBLE);
        INDArray noisy = x.add(z.mul(sigma));
        INDArray s = model.sameDiff().output(Map.of("x", noisy), model.output().name()).get(model.output().name());
        double expected = 0;
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < d; i++) {
                double res = s.getDouble(r, i) + (noisy.getDouble(r, i) - x.getDouble(r, i)) / (sigma * sigma);
                expected += 0.5 * res * res / n;
            }
        }
        ObjectiveEvaluation dsm = DenoisingScoreMatching.withSigma(sigma).attach(model)
                .evaluate(x, RandomDraws.ofNoise(z));
        assertEquals(expected, dsm.loss(), SAME * Math.max(1, expected));
    }

    @Test
    void noiseConditionalDenoisingWeightsEachLevelBySigmaSquared() {
        int d = 2;
        int n = 4;
        double[] sigmas = DenoisingScoreMatching.geometricSchedule(1.0, 0.1, 3);
        assertEquals(1.0, sigmas[0], 1e-15);
        assertEquals(Math.sqrt(0.1), sigmas[1], 1e-15);
        assertEquals(0.1, sigmas[2], 1e-15);
        SameDiff sd = SameDiff.create();
        SDVariable xv = sd.placeHolder("x", DataType.DOUBLE, -1, d);
        SDVariable sigmaV = sd.placeHolder("sigma", DataType.DOUBLE, -1, 1);
        SDVariable w = sd.var("W", TestModels.randn(1, DataType.DOUBLE, d, d));
        SDVariable out = sd.math().tanh(xv.mmul(w)).div(sigmaV);   // s(x, σ) = tanh(xW)/σ, NCSN-style
        ScoreFunction model = ScoreFunction.ofScore(xv, out).conditionedOn(sigmaV);
        INDArray x = TestModels.randn(15, DataType.DOUBLE, n, d);
        INDArray z = TestModels.randn(16, DataType.DOUBLE, n, d);
        int[] levels = {2, 0, 1, 2};
        double expected = 0;
        for (int r = 0; r < n; r++) {
            double sg = sigmas[levels[r]];
            INDArray xr = x.getRow(r, true).add(z.getRow(r, true).mul(sg));
            INDArray sr = sd.output(Map.of("x", xr, "sigma", Nd4j.createFromArray(new double[][] {{sg}})),
                    out.name()).get(out.name());
            for (int i = 0; i < d; i++) {
                double res = sr.getDouble(0, i) + z.getDouble(r, i) / sg;
                expected += sg * sg * 0.5 * res * res / n;
            }
        }
        ObjectiveEvaluation e = DenoisingScoreMatching.noiseConditional(sigmas).attach(model)
                .evaluate(x, RandomDraws.ofNoise(z, levels));
        assertEquals(expected, e.loss(), SAME * Math.max(1, expected));
    }

    @Test
    void maskedExamplesDropOutAndWeightsActLikeRepetition() {
        int d = 2;
        INDArray x = TestModels.randn(17, DataType.DOUBLE, 4, d);
        INDArray v = TestModels.randn(18, DataType.DOUBLE, 1, 4, d);
        SlicedScoreMatching o = SlicedScoreMatching.varianceReduced(Projection.GAUSSIAN);
        ObjectiveEvaluation masked = o.attach(TestModels.tanhMlpScore(d, 4, 7, DataType.DOUBLE)).evaluate(x,
                Nd4j.createFromArray(1.0, 0.0, 1.0, 1.0), RandomDraws.ofProjections(v), true);
        int[] keep = {0, 2, 3};
        ObjectiveEvaluation subset = o.attach(TestModels.tanhMlpScore(d, 4, 7, DataType.DOUBLE)).evaluate(
                x.getRows(keep), RandomDraws.ofProjections(v.get(NDArrayIndex.all(), NDArrayIndex.indices(0, 2, 3),
                        NDArrayIndex.all()).dup()));
        assertSameEvaluation(subset, masked, SAME, "mask");

        ObjectiveEvaluation weighted = o.attach(TestModels.tanhMlpScore(d, 4, 7, DataType.DOUBLE)).evaluate(x,
                Nd4j.createFromArray(2.0, 1.0, 1.0, 1.0), RandomDraws.ofProjections(v), true);
        int[] repeated = {0, 0, 1, 2, 3};
        ObjectiveEvaluation repetition = o.attach(TestModels.tanhMlpScore(d, 4, 7, DataType.DOUBLE)).evaluate(
                x.getRows(repeated), RandomDraws.ofProjections(v.get(NDArrayIndex.all(),
                        NDArrayIndex.indices(0, 0, 1, 2, 3), NDArrayIndex.all()).dup()));
        assertSameEvaluation(repetition, weighted, SAME, "weights");
    }

    @Test
    void float32AgreesWithFloat64ToSinglePrecision() {
        int d = 3;
        INDArray x = TestModels.randn(19, DataType.DOUBLE, 6, d);
        for (ScoreMatchingObjective o : List.of(SlicedScoreMatching.varianceReduced(Projection.RADEMACHER),
                ImplicitScoreMatching.exact(), DenoisingScoreMatching.withSigma(0.5),
                FiniteDifferenceSsm.of(Projection.RADEMACHER, 0.05))) {
            ObjectiveGraph g64 = o.attach(TestModels.tanhMlpScore(d, 8, 9, DataType.DOUBLE));
            RandomDraws draws = g64.draw(x, new SplittableRandom(4));
            ObjectiveGraph g32 = o.attach(TestModels.tanhMlpScore(d, 8, 9, DataType.FLOAT));
            RandomDraws draws32 = new RandomDraws(
                    draws.projections() == null ? null : draws.projections().castTo(DataType.FLOAT),
                    draws.noise() == null ? null : draws.noise().castTo(DataType.FLOAT), draws.noiseLevels());
            ObjectiveEvaluation e32 = g32.evaluate(x.castTo(DataType.FLOAT), draws32);
            assertEquals(DataType.FLOAT, e32.gradient("W1").dataType());
            // float32 rounding (≈ 6e-8 per op) through a few dozen ops; FD-SSM divides it by 2ε = 0.1
            assertSameEvaluation(g64.evaluate(x, draws), e32, o instanceof FiniteDifferenceSsm ? 1e-4 : 1e-5, o.name());
        }
    }

    @Test
    void drawsAreReproducibleFromTheSeed() {
        ObjectiveGraph g = SlicedScoreMatching.standard(Projection.GAUSSIAN).withProjections(3)
                .attach(TestModels.squareScore(4));
        INDArray x = TestModels.randn(1, DataType.DOUBLE, 5, 4);
        assertEquals(g.draw(x, new SplittableRandom(42)).projections(), g.draw(x, new SplittableRandom(42)).projections());
        assertNotEquals(g.draw(x, new SplittableRandom(42)).projections(),
                g.draw(x, new SplittableRandom(43)).projections());
        long[] shape = g.draw(x, new SplittableRandom(1)).projections().shape();
        assertEquals(List.of(3L, 5L, 4L), List.of(shape[0], shape[1], shape[2]));
    }

    @Test
    void everyObjectiveRoundTripsThroughJson() {
        for (ScoreMatchingObjective o : List.of(
                SlicedScoreMatching.standard(Projection.UNIT_SPHERE).withProjections(4),
                SlicedScoreMatching.varianceReduced(Projection.RADEMACHER),
                ImplicitScoreMatching.exact().withChunkSize(16),
                DenoisingScoreMatching.withSigma(0.1),
                DenoisingScoreMatching.noiseConditional(DenoisingScoreMatching.geometricSchedule(1, 0.01, 10)),
                FiniteDifferenceSsm.of(Projection.GAUSSIAN, 0.01).varianceReducedForm())) {
            String json = o.toJson();
            assertTrue(json.contains("@class"), json);
            assertEquals(o, ScoreMatchingObjective.fromJson(json), json);
        }
    }
}
