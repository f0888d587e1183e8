package io.github.ssm4j.examples.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.examples.recipes.DataTransform;
import io.github.ssm4j.examples.recipes.Recipes;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Dequantisation stays inside each pixel's bin, inverts, and its log-determinant matches central differences. */
class LogitDequantisationTest {
    private final LogitDequantisation t = new LogitDequantisation(256, 1e-3);

    @Test
    void theImageRecipesDequantiseTheDatasetsTheyKnowAndNameTheOthers() {
        for (String recipe : new String[] {"nice", "lenet-ebm"}) {
            DataTransform mnist = Recipes.get(recipe).dataTransform("mnist");
            assertEquals(new LogitDequantisation(256, 1e-3), mnist, recipe);
            assertEquals(new LogitDequantisation(17, 1e-3), Recipes.get(recipe).dataTransform("digits"), recipe);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Recipes.get(recipe).dataTransform("two-moons"));
            assertTrue(e.getMessage().contains(recipe) && e.getMessage().contains("fashion-mnist")
                    && e.getMessage().contains("two-moons"), e.getMessage());
        }
    }

    @Test
    void staysInTheBinAndInverts() {
        INDArray pixels = Nd4j.createFromArray(new double[][] {{0, 1, 128 / 255.0, 7 / 255.0}});
        INDArray y = t.apply(pixels, 3);
        double[] x = t.invert(y).toDoubleVector();
        int[] k = {0, 255, 128, 7};
        for (int j = 0; j < k.length; j++) {
            assertTrue(x[j] >= k[j] / 256.0 - 1e-12 && x[j] <= (k[j] + 1) / 256.0 + 1e-12, "pixel " + j + ": " + x[j]);
        }
        assertEquals(y, t.apply(pixels, 3), "same seed, same noise");
    }

    @Test
    void logDeterminantMatchesCentralDifferences() {
        INDArray pixels = Nd4j.createFromArray(new double[][] {{0.0, 0.2, 0.9, 1.0}, {0.5, 0.01, 0.3, 0.7}});
        INDArray y = t.apply(pixels, 9).castTo(DataType.DOUBLE);
        double[] logDet = t.logDeterminant(y);
        double[][] x = t.invert(y).toDoubleMatrix();
        double h = 1e-7;
        for (int r = 0; r < x.length; r++) {
            double sum = 0;
            for (double v : x[r]) {   // elementwise map: the Jacobian is diagonal
                sum += Math.log((logit(v + h) - logit(v - h)) / (2 * h));
            }
            assertEquals(sum, logDet[r], 1e-5, "row " + r);
        }
    }

    private double logit(double x) {
        double u = 1e-3 + (1 - 2e-3) * x;
        return Math.log(u / (1 - u));
    }

    @Test
    void refusesPixelsOutsideTheUnitInterval() {
        Exception e = assertThrows(IllegalArgumentException.class,
                () -> t.apply(Nd4j.createFromArray(new double[][] {{0.5, 1.5}}), 1));
        assertTrue(e.getMessage().contains("[0, 1]"), e.getMessage());
    }
}
