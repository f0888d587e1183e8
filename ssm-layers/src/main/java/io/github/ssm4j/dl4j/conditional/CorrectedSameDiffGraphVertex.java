package io.github.ssm4j.dl4j.conditional;

import io.github.ssm4j.util.QuietSameDiff;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.samediff.SameDiffGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.util.SameDiffUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.ExternalErrorsFunction;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's runtime SameDiff vertex with its backward pass corrected.
 *
 * <p>In 1.0.0-M2.1 every {@code SameDiffVertex} (and {@code SameDiffLayer}) back-propagates <b>twice</b> the
 * gradient it receives: DL4J feeds the incoming gradient ε through an {@code ExternalErrorsFunction}, whose
 * {@code doDiff} both registers ε as the gradient of the vertex output ({@code setGradientForVariableName})
 * and returns it, and SameDiff then adds the two ({@code add(out-grad, out-grad)} in the gradient function).
 * So the vertex's parameter gradients and the gradients it passes to earlier layers are 2× too large — DL4J's
 * gradient check fails, and SGD takes double steps.
 *
 * <p>Backprop is linear in ε, so feeding ε/2 gives the exact gradients. The factor is measured once on a
 * one-op probe graph built the way DL4J builds a vertex ({@link #FACTOR}): 0.5 while the bug is present,
 * 1 once a DL4J release fixes it.
 */
final class CorrectedSameDiffGraphVertex extends SameDiffGraphVertex {
    /** 1 / (what SameDiff's external-errors backprop multiplies ε by). */
    static final double FACTOR = Probe.factor();

    CorrectedSameDiffGraphVertex(SameDiffVertex config, ComputationGraph graph, String name, int vertexIndex,
                                 INDArray paramsView, boolean initParams, DataType dataType) {
        super(config, graph, name, vertexIndex, paramsView, initParams, dataType);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        INDArray incoming = epsilon;
        if (FACTOR != 1.0) {
            epsilon = workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, incoming).muli(FACTOR);
        }
        try {
            if (sameDiff == null || !sameDiff.hasGradientFunction()) {       // first call builds the gradient graph
                return QuietSameDiff.call(() -> super.doBackward(tbptt, workspaceMgr));
            }
            return super.doBackward(tbptt, workspaceMgr);
        } finally {
            epsilon = incoming;
        }
    }

    /** Measures the external-errors gradient scale on a graph in→in·1→ExternalErrors, with ε = 1. */
    private static final class Probe {
        static double factor() {
            return QuietSameDiff.call(() -> {
                SameDiff sd = SameDiff.create();
                SDVariable in = sd.placeHolder("in", DataType.DOUBLE, -1, 1);
                ExternalErrorsFunction fn = SameDiffUtils.externalErrors(sd, null, in.mul(1.0));
                fn.outputVariable();
                sd.createGradFunction("in");
                Map<String, INDArray> feed = new HashMap<>();
                feed.put("in", Nd4j.ones(DataType.DOUBLE, 1, 1));
                feed.put(fn.getGradPlaceholderName(), Nd4j.ones(DataType.DOUBLE, 1, 1));
                double scale = sd.calculateGradients(feed, List.of("in")).get("in").getDouble(0);
                if (scale != 1.0 && scale != 2.0) {
                    throw new IllegalStateException("SameDiff back-propagates an external gradient of 1 as " + scale
                            + "; ssm4j's conditional vertices correct only the known doubling of 1.0.0-M2.1");
                }
                return 1.0 / scale;
            });
        }
    }
}
