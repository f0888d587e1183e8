package io.github.ssm4j.examples.recipes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * The receptive field of {@code ncsn-lite}: on 28×28 images the score at one corner must depend on the pixel
 * at the opposite corner (the network that saw only 9×9 pixels drew stroke fragments), and the same probe
 * must find no such dependence in the plain 8×8 network, whose field is 9×9 pixels around each output — so
 * the probe can tell the two apart. A pixel outside an output's field cannot change it at all: the forward
 * pass is deterministic and the products that reach that output do not involve the pixel, so "changed" is
 * tested exactly, not against a tolerance.
 */
class NcsnLiteRecipeTest {
    /** |s(x + e_first)[last] − s(x)[last]| for the first and last pixel of a flat side×side image. */
    private static double farCornerChange(int side) {
        int d = side * side;
        ComputationGraph net = (ComputationGraph) new NcsnLiteRecipe().build(new long[] {d}, new Adam(1e-3), 7);
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, d);
        INDArray sigma = Nd4j.valueArrayOf(new long[] {2, 1}, 0.3f);
        INDArray before = net.output(x, sigma)[0].dup();
        INDArray moved = x.dup();
        moved.putScalar(0, 0, x.getDouble(0, 0) + 1.0);
        INDArray after = net.output(moved, sigma)[0];
        assertEquals(0.0, after.getRow(1).sub(before.getRow(1)).amaxNumber().doubleValue(), 0.0,
                "the other image of the batch must not change");
        return Math.abs(after.getDouble(0, d - 1) - before.getDouble(0, d - 1));
    }

    @Test
    void everyScoreOfAnMnistImageSeesTheWholeImage() {
        double change = farCornerChange(28);
        assertTrue(change > 0, "moving pixel (0, 0) left the score at (27, 27) unchanged");
    }

    @Test
    void theProbeFindsTheLimitsOfThePlainNetwork() {
        // 8×8 digits: three 3×3 convolutions and the head see ±4 pixels, so (7, 7) cannot see (0, 0)
        assertEquals(0.0, farCornerChange(8), 0.0);
    }

    @Test
    void largeImagesMustPoolByFour() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NcsnLiteRecipe().build(new long[] {18 * 18}, new Adam(1e-3), 1));
        assertTrue(e.getMessage().contains("divisible by 4") && e.getMessage().contains("18×18"), e.getMessage());
    }

    @Test
    void coarseKernelsGrowWithTheImage() {
        for (int side : new int[] {12, 16, 20}) {
            assertTrue(farCornerChange(side) > 0, side + "×" + side);
        }
    }
}
