package io.github.ssm4j.objective.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A hand-built SameDiff graph whose weight is column-major: the traced execution wrote one product's output
 * column-major, and the program replaying that layout differed from SameDiff's later executions in the last
 * bits (a review found the float gradient of a weight used four times differing in 20 of 20 evaluations,
 * the loss in 2, where SameDiff's loss matched plain ND4J's). Replay refuses such a graph, saying why,
 * and the same graph with a row-major weight replays SameDiff's results bit for bit.
 */
class ColumnMajorReplayTest {
    @Test
    void aColumnMajorWeightStaysOnSameDiffAndARowMajorOneReplaysBitForBit() {
        for (char order : new char[] {'f', 'c'}) {
            Nd4j.getRandom().setSeed(7);
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 8);
            SDVariable w = sd.var("w", Nd4j.randn(DataType.FLOAT, 8, 8).muli(0.3).dup(order));
            SDVariable b = sd.var("b", Nd4j.randn(DataType.FLOAT, 1, 8));
            SDVariable h = x;
            for (int i = 0; i < 4; i++) {
                h = sd.math.tanh(h.mmul(w).add(b));   // one weight, used four times
            }
            SDVariable loss = h.mul(h).sum();
            sd.setLossVariables(loss);
            List<String> outputs = List.of(loss.name());
            List<String> variables = List.of("w", "b");
            Map<String, INDArray> feed = Map.of("x", Nd4j.randn(DataType.FLOAT, 16, 8));
            sd.calculateGradientsAndOutputs(feed, outputs, variables);   // creates the gradient function
            List<String> requested = new ArrayList<>(outputs);
            requested.add(sd.getVariable("w").getGradient().name());
            ReplayProgram.Traced<OutAndGrad> traced = ReplayProgram.trace(sd, feed, requested,
                    () -> sd.calculateGradientsAndOutputs(feed, outputs, variables));
            if (order == 'f') {
                assertTrue(traced.program().isEmpty(), "a column-major weight is not replayed");
                assertTrue(traced.whyNot().contains("'w' is column-major"), traced.whyNot());
                continue;
            }
            ReplayProgram program = traced.program().orElseThrow();
            for (int round = 0; round < 20; round++) {
                Map<String, INDArray> next = Map.of("x", Nd4j.randn(DataType.FLOAT, 16, 8));
                Map<String, INDArray> replayed = program.run(next);
                float replayedLoss = replayed.get(loss.name()).getFloat(0);
                float[] replayedGradient = replayed.get(requested.get(1)).dup('c').data().asFloat();
                OutAndGrad reference = sd.calculateGradientsAndOutputs(next, outputs, variables);
                assertEquals(reference.getOutputs().get(loss.name()).getFloat(0), replayedLoss, 0f, "loss, round " + round);
                assertArrayEquals(reference.getGradients().get("w").dup('c').data().asFloat(), replayedGradient, 0f,
                        "gradient of w, round " + round);
            }
        }
    }
}
