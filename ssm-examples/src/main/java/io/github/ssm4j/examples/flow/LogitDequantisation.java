package io.github.ssm4j.examples.flow;

import io.github.ssm4j.examples.recipes.DataTransform;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Quantised images in [0, 1] (grey level k of L levels stored as k/(L − 1)) to the logit space a flow is
 * trained in:
 * <ol>
 *   <li>dequantise: x = (k + u)/L with u ~ U(0, 1) per pixel, so x has a density on (0, 1)^D whose average
 *       log-likelihood bounds the discrete one from below (Theis, van den Oord and Bethge, ICLR 2016);</li>
 *   <li>squeeze and logit (Dinh, Sohl-Dickstein and Bengio, "Real NVP", ICLR 2017):
 *       y = logit(λ + (1 − 2λ)x), a bijection from (0, 1)^D onto a box in R^D.</li>
 * </ol>
 * log |det ∂y/∂x| = Σ_j [log(1 − 2λ) + softplus(y_j) + softplus(−y_j)], so
 * log p(x) = log p(y) + that sum: the likelihood of the dequantised data in (0, 1)^D.
 */
public record LogitDequantisation(int levels, double lambda) implements DataTransform {
    /** The logit squeeze λ the recipes use. */
    public static final double LAMBDA = 1e-3;
    /** Grey levels of the quantised image datasets. */
    private static final Map<String, Integer> LEVELS = Map.of("mnist", 256, "fashion-mnist", 256, "digits", 17);

    /** The transform of a quantised image dataset, for {@code recipe} (named in the error for other datasets). */
    public static LogitDequantisation forDataset(String dataset, String recipe) {
        Integer levels = LEVELS.get(dataset);
        if (levels == null) {
            throw new IllegalArgumentException(recipe + " models quantised images in [0, 1] and knows the grey levels "
                    + "of " + String.join(", ", new java.util.TreeSet<>(LEVELS.keySet())) + ", not of '" + dataset + "'");
        }
        return new LogitDequantisation(levels, LAMBDA);
    }

    public LogitDequantisation {
        if (levels < 2 || !(lambda >= 0 && lambda < 0.5)) {
            throw new IllegalArgumentException("Dequantisation needs ≥ 2 grey levels and 0 ≤ λ < ½, got " + levels
                    + " levels, λ = " + lambda);
        }
    }

    @Override
    public INDArray apply(INDArray features, long seed) {
        double[][] rows = features.castTo(DataType.DOUBLE).toDoubleMatrix();
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] y = new double[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            y[r] = new double[rows[r].length];
            for (int j = 0; j < rows[r].length; j++) {
                double v = rows[r][j];
                if (!(v >= 0 && v <= 1)) {
                    throw new IllegalArgumentException("Dequantisation needs pixels in [0, 1], but row " + r
                            + " has " + v + " at " + j);
                }
                long k = Math.round(v * (levels - 1));
                double x = (k + rng.nextDouble()) / levels;
                double squeezed = lambda + (1 - 2 * lambda) * x;
                y[r][j] = Math.log(squeezed) - Math.log1p(-squeezed);
            }
        }
        return Nd4j.createFromArray(y).castTo(features.dataType());
    }

    @Override
    public double[] logDeterminant(INDArray transformed) {
        INDArray y = transformed.castTo(DataType.DOUBLE);
        INDArray perPixel = Transforms.softPlus(y, true).addi(Transforms.softPlus(y.neg(), true))
                .addi(Math.log1p(-2 * lambda));
        return perPixel.sum(1).toDoubleVector();
    }

    @Override
    public INDArray invert(INDArray transformed) {
        INDArray u = Transforms.sigmoid(transformed.castTo(DataType.DOUBLE), true);
        INDArray x = u.subi(lambda).divi(1 - 2 * lambda);
        return Transforms.min(Transforms.max(x, 0.0, false), 1.0, false);
    }

    /** L: the number of grey levels. */
    @Override
    public double levelsPerDimension() {
        return levels;
    }

    @Override
    public String description() {
        return "dequantised (k + U(0,1))/" + levels + ", then logit(" + lambda + " + (1 − 2·" + lambda + ")x)";
    }
}
