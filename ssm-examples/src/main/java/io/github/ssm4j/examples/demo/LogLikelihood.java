package io.github.ssm4j.examples.demo;

import io.github.ssm4j.examples.recipes.DataTransform;
import io.github.ssm4j.model.ScoreFunction;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The exact mean log-likelihood of held-out data under a normalised energy model (E = −log p, a flow):
 * <ul>
 *   <li>{@code modelSpaceNats}: mean log p(y) = −E(y) of the network's input y = T(x) (for nice: logit space,
 *       the convention of the SSM paper's code);</li>
 *   <li>{@code dataNats}: mean log p(x) = −E(y) + log |det ∂y/∂x| of the data x (for nice: the dequantised
 *       images in (0, 1)^D);</li>
 *   <li>{@code bitsPerDim}: for L-level dequantised data, (−log p(x) + D·ln L)/(D·ln 2), the usual bits per
 *       dimension of the density on [0, L]^D (an upper bound on the discrete code length); NaN otherwise.</li>
 * </ul>
 */
public record LogLikelihood(double modelSpaceNats, double dataNats, double bitsPerDim, long examples) {

    /** Over the rows of {@code y} (already transformed), {@code batchSize} rows at a time. */
    public static LogLikelihood of(ScoreFunction model, INDArray y, DataTransform transform, int batchSize) {
        if (model.kind() != ScoreFunction.Kind.ENERGY) {
            throw new IllegalArgumentException("An exact log-likelihood needs a normalised energy model");
        }
        long n = y.size(0);
        long d = y.size(1);
        double sumModel = 0;
        double sumData = 0;
        for (long first = 0; first < n; first += batchSize) {
            INDArray rows = y.get(NDArrayIndex.interval(first, Math.min(n, first + batchSize)), NDArrayIndex.all());
            INDArray energy = model.sameDiff().output(Map.of(model.input().name(), rows), model.energy().name())
                    .get(model.energy().name());
            double[] e = energy.reshape(-1).toDoubleVector();
            double[] logDet = transform.logDeterminant(rows);
            for (int i = 0; i < e.length; i++) {
                sumModel += -e[i];
                sumData += -e[i] + logDet[i];
            }
        }
        double inModelSpace = sumModel / n;
        double data = sumData / n;
        if (!Double.isFinite(inModelSpace) || !Double.isFinite(data)) {
            throw new ArithmeticException("The log-likelihood is not finite (" + inModelSpace + " in the model's space, " + data
                    + " for the data): the flow overflowed");
        }
        double levels = transform.levelsPerDimension();
        double bits = Double.isNaN(levels) ? Double.NaN : (-data + d * Math.log(levels)) / (d * Math.log(2));
        return new LogLikelihood(inModelSpace, data, bits, n);
    }

    /** For run and eval summaries. */
    public Map<String, Object> toMap(DataTransform transform) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("examples", examples);
        m.put("logLikelihoodNats", dataNats);
        m.put("bitsPerDim", Double.isNaN(bitsPerDim) ? null : bitsPerDim);
        m.put("modelSpaceLogLikelihoodNats", modelSpaceNats);
        m.put("dataTransform", transform.description());
        return m;
    }

    /** One line for the console. */
    public String describe() {
        return String.format("test log-likelihood %.2f nats per image (%.4f bits/dim; %.2f nats in the model's "
                + "input space), %d examples", dataNats, bitsPerDim, modelSpaceNats, examples);
    }
}
