package io.github.ssm4j.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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

    private static Map<String, INDArray> copy(Map<String, INDArray> m) {
        Map<String, INDArray> c = new java.util.HashMap<>();
        m.forEach((k, v) -> c.put(k, v.dup()));
        return c;
    }
}
