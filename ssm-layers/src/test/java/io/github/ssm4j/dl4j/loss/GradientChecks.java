package io.github.ssm4j.dl4j.loss;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * DL4J-style gradient check: float64 central differences of the reported score against backprop.
 *
 * <p>The FD-SSM score divides a difference of outputs by 2ε (ε = 1e-3 in these tests), so it carries rounding
 * of about 1e-16·|vᵀs|/ε ≈ 1e-13; a central difference with step h turns that into ~1e-13/h of noise in the
 * numeric gradient. h = 1e-5 keeps the noise near 1e-8 and the truncation error (h² times a third
 * derivative) below it, hence the absolute floor.
 */
final class GradientChecks {
    private static final double STEP = 1e-5;
    private static final double MAX_RELATIVE_ERROR = 1e-6;
    private static final double MIN_ABSOLUTE_ERROR = 3e-8;

    private GradientChecks() {
    }

    /**
     * Backprop's gradient, divided by the batch's rows as DL4J's updater divides it, equals the central
     * difference (score(θ + h) − score(θ − h))/(2h) of {@code net.score(batch)} for every parameter.
     */
    static void assertMatchesCentralDifferences(MultiLayerNetwork net, DataSet batch) {
        net.setInput(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.setLayerMaskArrays(batch.getFeaturesMaskArray(), batch.getLabelsMaskArray());
        net.computeGradientAndScore();
        INDArray analytic = net.gradient().gradient().dup().divi(batch.numExamples());
        INDArray params = net.params();
        for (long i = 0; i < params.length(); i++) {
            double original = params.getDouble(i);
            params.putScalar(i, original + STEP);
            double plus = net.score(batch);
            params.putScalar(i, original - STEP);
            double minus = net.score(batch);
            params.putScalar(i, original);
            double numeric = (plus - minus) / (2 * STEP);
            double a = analytic.getDouble(i);
            double error = Math.abs(a - numeric);
            assertTrue(error <= MAX_RELATIVE_ERROR * Math.max(Math.abs(a), Math.abs(numeric)) + MIN_ABSOLUTE_ERROR,
                    "parameter " + i + ": backprop " + a + ", central difference " + numeric);
        }
    }
}
