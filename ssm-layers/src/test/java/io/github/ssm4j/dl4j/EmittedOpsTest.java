package io.github.ssm4j.dl4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.ssm4j.autodiff.DerivativeRules;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every op the built-in translators emit — over every layer row of {@link LayerTranslationTest} and
 * every activation of {@link ActivationTranslationTest} — has a derivative rule, so any network built
 * from them can be differentiated by Jvp/Vjp and SameDiff's backprop can take the last step.
 */
class EmittedOpsTest {
    @BeforeAll
    static void float64() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyEmittedOpHasADerivativeRule() {
        Set<String> emitted = new TreeSet<>();
        Set<String> missing = new TreeSet<>();
        Stream.of(LayerTranslationTest.feedForward(), LayerTranslationTest.convolution(),
                LayerTranslationTest.pooling(), LayerTranslationTest.spatial()).flatMap(s -> s).forEach(row -> {
                    Object[] a = row.get();
                    InputType input = (InputType) a[1];
                    MultiLayerNetwork net = Networks.mln(input, ((Supplier<Layer[]>) a[3]).get());
                    collect(NetworkTranslator.translate(net, input).sameDiff(), emitted, missing);
                });
        ActivationTranslationTest.activations().map(Arguments::get).forEach(a -> {
            MultiLayerNetwork net = Networks.mln(InputType.feedForward(3),
                    new DenseLayer.Builder().nOut(4).activation((IActivation) a[1]).build());
            collect(NetworkTranslator.translate(net).sameDiff(), emitted, missing);
        });
        assertTrue(missing.isEmpty(), "ops without derivative rules: " + missing + " (emitted: " + emitted + ")");
        assertTrue(emitted.containsAll(Set.of("conv2d", "deconv2d", "maxpool2d", "avgpool2d", "matmul", "softmax")),
                emitted::toString);
    }

    private static void collect(SameDiff sd, Set<String> emitted, Set<String> missing) {
        for (DifferentialFunction op : sd.ops()) {
            emitted.add(op.opName());
            if (!DerivativeRules.supports(op)) {
                missing.add(op.opName() + " (" + op.getClass().getSimpleName() + ")");
            }
        }
    }
}
