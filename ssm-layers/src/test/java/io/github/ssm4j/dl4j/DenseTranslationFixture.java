package io.github.ssm4j.dl4j;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationTanH;

/**
 * A hand-written translation of a MultiLayerNetwork of dense layers with identity or tanh activations,
 * for testing the trainer independently of the general translator.
 */
final class DenseTranslationFixture implements TranslatedNetwork {
    private final MultiLayerNetwork net;
    private final SameDiff sd = SameDiff.create();
    private final SDVariable input;
    private final SDVariable output;
    private final SDVariable preActivation;
    private final List<ParameterBinding> bindings = new ArrayList<>();

    DenseTranslationFixture(MultiLayerNetwork net) {
        this.net = net;
        long nIn = ((FeedForwardLayer) net.getLayer(0).conf().getLayer()).getNIn();
        input = sd.placeHolder("input", net.params().dataType(), -1, nIn);
        SDVariable h = input;
        SDVariable pre = null;
        for (int i = 0; i < net.getnLayers(); i++) {
            SDVariable w = sd.var(i + "_W", net.getParam(i + "_W").dup('c'));
            SDVariable b = sd.var(i + "_b", net.getParam(i + "_b").dup('c'));
            bindings.add(new ParameterBinding(w.name(), String.valueOf(i), "W"));
            bindings.add(new ParameterBinding(b.name(), String.valueOf(i), "b"));
            pre = h.mmul(w).add(b);
            Object act = ((BaseLayer) net.getLayer(i).conf().getLayer()).getActivationFn();
            if (act instanceof ActivationTanH) {
                h = sd.math().tanh(pre);
            } else if (act instanceof ActivationIdentity) {
                h = pre;
            } else if (act instanceof org.nd4j.linalg.activations.impl.ActivationSoftmax) {
                h = sd.nn().softmax(pre, 1);
            } else {
                throw new IllegalArgumentException("fixture supports identity and tanh only, not " + act);
            }
        }
        output = h;
        preActivation = pre;
    }

    @Override
    public SameDiff sameDiff() {
        return sd;
    }

    @Override
    public List<SDVariable> inputs() {
        return List.of(input);
    }

    @Override
    public List<SDVariable> outputs() {
        return List.of(output);
    }

    @Override
    public SDVariable preActivationOutput() {
        return preActivation;
    }

    @Override
    public List<ParameterBinding> bindings() {
        return bindings;
    }

    @Override
    public void pullParameters() {
        for (ParameterBinding b : bindings) {
            sd.getVariable(b.variable()).getArr().assign(net.getParam(b.networkKey()));
        }
    }
}
