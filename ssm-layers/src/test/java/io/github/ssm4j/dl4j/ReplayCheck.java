package io.github.ssm4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.objective.ObjectiveEvaluation;
import io.github.ssm4j.objective.ObjectiveGraph;
import io.github.ssm4j.objective.RandomDraws;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What the replay tests share: one evaluation replayed and the same by SameDiff's session, compared bit for bit. */
final class ReplayCheck {
    private ReplayCheck() {
    }

    /** The same evaluation twice on one graph: replayed (copied out of the program's arrays), then by SameDiff. */
    record BothWays(ObjectiveEvaluation replayed, ObjectiveEvaluation reference) {
        /** Every gradient equal bit for bit ({@code INDArray.equals} allows 1e-5; replay must be exact). */
        void assertGradientsEqualBitForBit(String message) {
            for (Map.Entry<String, INDArray> g : reference.gradients().entrySet()) {
                assertTrue(Arrays.equals(bits(g.getValue()), bits(replayed.gradients().get(g.getKey()))),
                        message + ": gradient of " + g.getKey());
            }
        }
    }

    static BothWays evaluateBothWays(ObjectiveGraph graph, INDArray x, RandomDraws draws) {
        ObjectiveEvaluation replayed = copy(graph.setReplay(true).evaluate(x, null, draws, true));
        ObjectiveEvaluation reference = graph.setReplay(false).evaluate(x, null, draws, true);
        return new BothWays(replayed, reference);
    }

    static double[] bits(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').reshape(-1).toDoubleVector();
    }

    static ObjectiveEvaluation copy(ObjectiveEvaluation e) {
        Map<String, INDArray> g = new HashMap<>();
        e.gradients().forEach((k, v) -> g.put(k, v.dup()));
        return new ObjectiveEvaluation(e.loss(), e.terms(), g);
    }
}
