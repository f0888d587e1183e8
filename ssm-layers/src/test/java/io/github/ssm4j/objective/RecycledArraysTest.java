package io.github.ssm4j.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.model.ScoreFunction;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gradient evaluations reuse the session's intermediate arrays (RecyclingMemMgr). Reuse must be invisible:
 * an evaluation equals the same evaluation on a graph that never evaluated anything before, whatever came
 * in between (other batch sizes, other inputs, forward-only calls), and what an evaluation returned stays
 * as it was after later ones.
 */
class RecycledArraysTest {
    @Test
    void evaluationsAreIndependentOfWhatTheGraphEvaluatedBefore() {
        for (ScoreMatchingObjective o : new ScoreMatchingObjective[] {
                SlicedScoreMatching.varianceReduced(Projection.RADEMACHER), ImplicitScoreMatching.exact(),
                DenoisingScoreMatching.withSigma(0.3)}) {
            ObjectiveGraph used = o.attach(TestModels.softplusEnergy(3, 7, 5));
            INDArray x5 = TestModels.randn(1, DataType.DOUBLE, 5, 3);
            INDArray x2 = TestModels.randn(2, DataType.DOUBLE, 2, 3);
            RandomDraws d5 = used.draw(x5, new SplittableRandom(3));
            RandomDraws d2 = used.draw(x2, new SplittableRandom(4));

            ObjectiveEvaluation first = used.evaluate(x5, d5);
            Map<String, INDArray> firstGradients = copy(first.gradients());
            used.evaluate(x2, d2);                                   // another shape in between
            used.evaluate(x5.mul(2), d5);                            // the same shape, other values
            used.evaluate(x5, null, d5, false);                      // forward only
            ObjectiveEvaluation again = used.evaluate(x5, d5);

            ObjectiveEvaluation fresh = o.attach(TestModels.softplusEnergy(3, 7, 5)).evaluate(x5, d5);
            assertEquals(fresh.loss(), again.loss(), 0.0, o.name());
            assertEquals(fresh.loss(), first.loss(), 0.0, o.name());
            for (Map.Entry<String, INDArray> g : fresh.gradients().entrySet()) {
                assertEquals(g.getValue(), again.gradients().get(g.getKey()), o.name() + " " + g.getKey());
                assertEquals(firstGradients.get(g.getKey()), first.gradients().get(g.getKey()),
                        o.name() + ": a returned gradient changed after later evaluations");
                assertEquals(g.getValue(), first.gradients().get(g.getKey()), o.name() + " " + g.getKey());
            }
            ObjectiveEvaluation small = o.attach(TestModels.softplusEnergy(3, 7, 5)).evaluate(x2, d2);
            assertEquals(small.loss(), used.evaluate(x2, d2).loss(), 0.0, o.name());
        }
    }

    /**
     * evaluateForStep (what the trainers use) gives evaluate's values, in arrays it reuses: the second call's
     * gradients are the same objects as the first's, overwritten with the new values — including for ISM,
     * whose batch is evaluated in several chunks and summed.
     */
    @Test
    void evaluateForStepEqualsEvaluateAndReusesItsArrays() {
        for (ScoreMatchingObjective o : new ScoreMatchingObjective[] {
                SlicedScoreMatching.varianceReduced(Projection.RADEMACHER), ImplicitScoreMatching.exact(),
                DenoisingScoreMatching.withSigma(0.3)}) {
            ObjectiveGraph graph = o.attach(TestModels.softplusEnergy(3, 7, 5));
            INDArray x1 = TestModels.randn(1, DataType.DOUBLE, 5, 3);
            INDArray x2 = TestModels.randn(2, DataType.DOUBLE, 5, 3);
            RandomDraws d1 = graph.draw(x1, new SplittableRandom(3));
            RandomDraws d2 = graph.draw(x2, new SplittableRandom(4));
            for (int round = 0; round < 3; round++) {          // SameDiff, traced, replayed
                ObjectiveEvaluation first = graph.evaluateForStep(x1, null, d1);
                ObjectiveEvaluation expected1 = graph.evaluate(x1, d1);
                assertEquals(expected1.loss(), first.loss(), 0.0, o.name());
                Map<String, INDArray> firstArrays = new java.util.HashMap<>(first.gradients());
                for (Map.Entry<String, INDArray> g : expected1.gradients().entrySet()) {
                    assertEquals(g.getValue(), first.gradients().get(g.getKey()), o.name() + " " + g.getKey());
                }
                ObjectiveEvaluation second = graph.evaluateForStep(x2, null, d2);
                ObjectiveEvaluation expected2 = graph.evaluate(x2, d2);
                for (Map.Entry<String, INDArray> g : expected2.gradients().entrySet()) {
                    assertEquals(g.getValue(), second.gradients().get(g.getKey()), o.name() + " " + g.getKey());
                    org.junit.jupiter.api.Assertions.assertSame(firstArrays.get(g.getKey()),
                            second.gradients().get(g.getKey()), o.name() + ": the step gradients are reused");
                }
            }
        }
    }

    /**
     * A step's gradients (the step program's own arrays once replayed) stay what they were through an
     * {@link ObjectiveGraph#evaluate} of another batch with gradients — what a listener evaluating held-out
     * data between two steps does — and the next step still gets its own values.
     */
    @Test
    void stepGradientsSurviveAnEvaluationInBetween() {
        for (ScoreMatchingObjective o : new ScoreMatchingObjective[] {
                SlicedScoreMatching.varianceReduced(Projection.RADEMACHER), DenoisingScoreMatching.withSigma(0.3)}) {
            ObjectiveGraph graph = o.attach(TestModels.tanhMlpScore(3, 6, 5, DataType.DOUBLE));
            INDArray x1 = TestModels.randn(1, DataType.DOUBLE, 5, 3);
            INDArray x2 = TestModels.randn(2, DataType.DOUBLE, 5, 3);
            RandomDraws d1 = graph.draw(x1, new SplittableRandom(3));
            RandomDraws d2 = graph.draw(x2, new SplittableRandom(4));
            for (int round = 0; round < 4; round++) {          // SameDiff, traced, replayed
                ObjectiveEvaluation step = graph.evaluateForStep(x1, null, d1);
                Map<String, INDArray> kept = new java.util.HashMap<>();
                step.gradients().forEach((k, v) -> kept.put(k, v.dup()));
                ObjectiveEvaluation other = graph.evaluate(x2, null, d2, true);
                for (Map.Entry<String, INDArray> g : kept.entrySet()) {
                    assertEquals(g.getValue(), step.gradients().get(g.getKey()), o.name() + " round " + round + " " + g.getKey());
                    org.junit.jupiter.api.Assertions.assertNotEquals(g.getValue(), other.gradients().get(g.getKey()),
                            o.name() + ": the other batch's gradient differs");
                }
            }
            assertTrue(graph.executionMode().startsWith("replay"), graph.executionMode());
        }
    }

    /**
     * drawForStep (what the trainers use) draws the same values as draw from the same generator, in float and
     * double, for every built-in objective that draws arrays, across batch sizes that change and come back;
     * consecutive draws of one shape come in the same arrays, and arrays are never a caller's workspace's.
     */
    @Test
    void drawForStepEqualsDrawAndReusesItsArrays() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (ScoreMatchingObjective o : new ScoreMatchingObjective[] {
                    SlicedScoreMatching.varianceReduced(Projection.RADEMACHER),
                    new SlicedScoreMatching(Projection.GAUSSIAN, 2, false),
                    FiniteDifferenceSsm.of(Projection.UNIT_SPHERE, 1e-2), DenoisingScoreMatching.withSigma(0.3),
                    NoisedData.of(SlicedScoreMatching.varianceReduced(Projection.RADEMACHER), 0.1)}) {
                ObjectiveGraph graph = o.attach(TestModels.tanhMlpScore(3, 4, 5, type));
                RandomDraws previous = null;
                int[] batchSizes = {5, 5, 2, 5, 5};
                for (int k = 0; k < batchSizes.length; k++) {
                    INDArray x = TestModels.randn(k, type, batchSizes[k], 3);
                    RandomDraws expected = graph.draw(x, new SplittableRandom(100 + k));
                    RandomDraws reused;
                    try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = org.nd4j.linalg.factory.Nd4j
                            .getWorkspaceManager().getAndActivateWorkspace("drawForStepTest")) {
                        reused = graph.drawForStep(x, new SplittableRandom(100 + k));
                    }
                    String what = o.name() + " " + type + " draw " + k;
                    for (INDArray[] pair : new INDArray[][] {{expected.projections(), reused.projections()},
                            {expected.noise(), reused.noise()}}) {
                        assertEquals(pair[0] == null, pair[1] == null, what);
                        if (pair[0] != null) {
                            assertEquals(pair[0], pair[1], what);
                            org.junit.jupiter.api.Assertions.assertFalse(pair[1].isAttached(),
                                    what + ": a kept array must not live in the caller's workspace");
                        }
                    }
                    if (previous != null && batchSizes[k] == batchSizes[k - 1]) {
                        org.junit.jupiter.api.Assertions.assertSame(previous.projections() != null
                                ? previous.projections() : previous.noise(), reused.projections() != null
                                ? reused.projections() : reused.noise(), what + ": the same array, refilled");
                    }
                    previous = reused;
                }
            }
        }
    }

    /**
     * The objectives build their feeds (x + σz, DSM's target −z/σ, FD-SSM's stacked x ± εv) in arrays the
     * graph keeps (ArrayArena) when it evaluates. Those feeds must equal, bit for bit, the same formulas written
     * with ND4J's allocating operations (what the objectives did before), and the feeds built outside any arena
     * — float and double, score and energy models (FD-SSM stacks two or three blocks), a ladder of noise
     * levels, batch sizes that change and come back — and come in the same arrays when the shapes repeat.
     */
    @Test
    void feedsBuiltInKeptArraysEqualTheirFormulas() {
        double[] sigmas = {0.1, 0.5, 2.0};
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            ScoreFunction score = TestModels.tanhMlpScore(3, 4, 5, type);
            ScoreFunction energy = TestModels.softplusEnergy(3, 4, 5);
            double eps = 1e-2;
            // the model's input feed as each objective's formula gives it, from x and the draws
            Object[][] cases = {
                {DenoisingScoreMatching.withSigma(0.3), score, (Formula) (x, d) -> x.add(d.noise().mul(0.3))},
                {FiniteDifferenceSsm.of(Projection.RADEMACHER, eps), score, (Formula) (x, d) -> {
                    INDArray v = d.projections().reshape(x.shape());
                    return Nd4j.concat(0, x.add(v.mul(eps)), x.sub(v.mul(eps)));
                }},
                {FiniteDifferenceSsm.of(Projection.GAUSSIAN, eps), energy, (Formula) (x, d) -> {
                    INDArray v = d.projections().reshape(x.shape());
                    return Nd4j.concat(0, x, x.add(v.mul(eps)), x.sub(v.mul(eps)));
                }},
                {NoisedData.of(SlicedScoreMatching.varianceReduced(Projection.RADEMACHER), 0.1), score,
                    (Formula) (x, d) -> x.add(d.noise().mul(0.1))},
                {DenoisingScoreMatching.noiseConditional(sigmas), conditionalScore(type), (Formula) (x, d) ->
                    x.add(d.noise().mulColumnVector(levels(sigmas, d.noiseLevels(), x.size(0), x.dataType())))},
                {NoiseLadder.of(ImplicitScoreMatching.exact(), sigmas), conditionalScore(type), null}};
            for (Object[] c : cases) {
                ScoreMatchingObjective o = (ScoreMatchingObjective) c[0];
                ScoreFunction model = (ScoreFunction) c[1];
                Formula formula = (Formula) c[2];
                DataType t = model.dataType();
                String input = model.input().name();
                ArrayArena arena = new ArrayArena();
                List<Map<String, INDArray>> previous = null;
                int[] batchSizes = {5, 5, 2, 5};
                for (int k = 0; k < batchSizes.length; k++) {
                    INDArray x = TestModels.randn(k, t, batchSizes[k], 3);
                    RandomDraws draws = o.draw(model, batchSizes[k], new java.util.SplittableRandom(30 + k));
                    Batch batch = Batch.of(model, x, null);
                    List<Map<String, INDArray>> fresh = o.feeds(batch, draws);
                    List<Map<String, INDArray>> kept = arena.run(() -> o.feeds(batch, draws));
                    String what = o.name() + " " + t + " batch " + k;
                    if (formula != null) {
                        assertSameValues(formula.input(x, draws), kept.get(0).get(input), what + ": the input feed");
                    }
                    if (o instanceof DenoisingScoreMatching dsm) {
                        INDArray sigma = levels(dsm.sigmas(), draws.noiseLevels(), batchSizes[k], t);
                        assertSameValues(draws.noise().divColumnVector(sigma).neg(),
                                kept.get(0).get(TermBuilder.PREFIX + "denoising_target"), what + ": the target");
                    }
                    assertEquals(fresh.size(), kept.size(), what);
                    for (int f = 0; f < fresh.size(); f++) {
                        assertEquals(fresh.get(f).keySet(), kept.get(f).keySet(), what);
                        for (String name : fresh.get(f).keySet()) {
                            assertSameValues(fresh.get(f).get(name), kept.get(f).get(name), what + ": feed " + name);
                        }
                    }
                    // (ISM tiles its input afresh, so under a ladder only the noised batch itself is kept)
                    if (previous != null && batchSizes[k] == batchSizes[k - 1] && !(o instanceof NoiseLadder)) {
                        org.junit.jupiter.api.Assertions.assertSame(previous.get(0).get(input), kept.get(0).get(input),
                                what + ": the noised or stacked input comes in the same array");
                    }
                    previous = kept;
                }
            }
        }
    }

    private interface Formula {
        INDArray input(INDArray x, RandomDraws draws);
    }

    /** σ of each example as a column: the one σ, or the schedule's σ at each drawn level. */
    private static INDArray levels(double[] sigmas, int[] levels, long n, DataType type) {
        double[] column = new double[Math.toIntExact(n)];
        for (int i = 0; i < column.length; i++) {
            column[i] = sigmas[levels == null ? 0 : levels[i]];
        }
        return Nd4j.createFromArray(column).castTo(type).reshape(column.length, 1);
    }

    private static void assertSameValues(INDArray expected, INDArray actual, String what) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.shape(), actual.shape(), what);
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected.dup('c').data().asDouble(),
                actual.dup('c').data().asDouble(), 0.0, what);
    }

    private static ScoreFunction conditionalScore(DataType type) {
        org.nd4j.autodiff.samediff.SameDiff sd = org.nd4j.autodiff.samediff.SameDiff.create();
        org.nd4j.autodiff.samediff.SDVariable x = sd.placeHolder("x", type, -1, 3);
        org.nd4j.autodiff.samediff.SDVariable sigma = sd.placeHolder("sigma", type, -1, 1);
        org.nd4j.autodiff.samediff.SDVariable a = sd.var("a", org.nd4j.linalg.factory.Nd4j.scalar(0.7).castTo(type));
        return ScoreFunction.ofScore(x, x.mul(a).neg().div(sigma.mul(sigma).add(1.0))).conditionedOn(sigma);
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> m) {
        Map<String, INDArray> c = new java.util.HashMap<>();
        m.forEach((k, v) -> c.put(k, v.dup()));
        return c;
    }
}
