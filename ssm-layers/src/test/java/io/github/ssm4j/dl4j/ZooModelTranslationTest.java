package io.github.ssm4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.util.QuietSameDiff;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.zoo.model.LeNet;
import org.deeplearning4j.zoo.model.SimpleCNN;
import org.deeplearning4j.zoo.model.UNet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J zoo models, converted to float64, translate and pass every {@link TranslationCheck}: UNet at
 * 1×32×32 (31 M parameters; four 2×2 max poolings take 32 down to 2, the smallest size with even sizes
 * throughout), LeNet (flat 28×28 input, inferred) and SimpleCNN at 3×16×16 (its four average poolings
 * end at 1×1, where global pooling is a reshape).
 *
 * <p>UNet's parameter gradients are checked against finite differences along its last two weight
 * tensors only (see {@link TranslationCheck#perturbOnly}), and all of them against DL4J's own backprop of
 * its XENT loss, written in SameDiff on the translated output.
 */
class ZooModelTranslationTest {
    @BeforeAll
    static void float64() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Test
    void unet() {
        ComputationGraph net = ((ComputationGraph) UNet.builder().inputShape(new int[] {1, 32, 32}).build().init())
                .convertDataType(DataType.DOUBLE);
        TranslationCheck.of("UNet 1x32x32", net, () -> NetworkTranslator.translate(net, InputType.convolutional(32, 32, 1)))
                .inferenceOnly()          // dropout layers
                .derivativesAtBatch(2)    // batch 1 is covered by the small networks; UNet is slow
                .perturbOnly(v -> v.startsWith("conv10_") || v.startsWith("conv9-3_"))
                .verify();
        assertSameDiffGradientsEqualDl4jBackprop(net);
    }

    /**
     * DL4J's gradient of its loss (binary cross-entropy summed over pixels; the mean over the batch and
     * the l2 penalty are applied later, by its updater; dropout switched off, as backprop runs in
     * training mode) against SameDiff's gradient of the same loss
     * built on the translated output, for every parameter: both exact, so they agree to rounding.
     */
    private static void assertSameDiffGradientsEqualDl4jBackprop(ComputationGraph net) {
        for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
            l.conf().getLayer().setIDropout(null);        // DL4J's backprop runs in training mode
        }
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 1, 32, 32);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 2, 1, 32, 32);
        net.setInputs(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        Map<String, INDArray> theirs = net.gradient().gradientForVariable();

        TranslatedNetwork g = NetworkTranslator.translate(net, InputType.convolutional(32, 32, 1));
        SameDiff sd = g.sameDiff();
        SDVariable p = g.output();
        SDVariable labels = sd.constant("labels", y);
        SDVariable xent = labels.mul(sd.math.log(p)).add(labels.rsub(1.0).mul(sd.math.log(p.rsub(1.0))));
        sd.setLossVariables(sd.sum(xent).neg());
        List<String> vars = new ArrayList<>(g.networkKeys().keySet());
        Map<String, INDArray> ours = QuietSameDiff.call(() -> sd.calculateGradients(Map.of(g.input().name(), x), vars));
        assertEquals(theirs.size(), vars.size());
        for (ParameterBinding b : g.bindings()) {
            INDArray a = ours.get(b.variable());
            INDArray e = b.toGraphLayout(theirs.get(b.networkKey())).reshape(a.shape());
            double scale = e.amaxNumber().doubleValue();
            double diff = a.sub(e).amaxNumber().doubleValue();
            assertTrue(diff <= 1e-9 * (1 + scale), () -> b.networkKey() + ": SameDiff vs DL4J gradient, max |diff| "
                    + diff + ", max |gradient| " + scale);
        }
    }

    @Test
    void lenet() {
        MultiLayerNetwork net = ((MultiLayerNetwork) LeNet.builder().numClasses(10).build().init())
                .convertDataType(DataType.DOUBLE);
        TranslatedNetwork g = NetworkTranslator.translate(net);
        assertEquals(8, g.bindings().size());
        TranslationCheck.of("LeNet", net, () -> NetworkTranslator.translate(net)).verify();
    }

    @Test
    void simpleCnn() {
        MultiLayerNetwork net = ((MultiLayerNetwork) SimpleCNN.builder().numClasses(3)
                .inputShape(new int[] {3, 16, 16}).build().init()).convertDataType(DataType.DOUBLE);
        TranslationCheck.of("SimpleCNN 3x16x16", net, () -> NetworkTranslator.translate(net, 3, 16, 16))
                .inferenceOnly()          // dropout and batch normalisation
                .verify();
    }
}
