package io.github.ssm4j.dl4j.internal;

import io.github.ssm4j.dl4j.TranslatedNetwork;
import io.github.ssm4j.dl4j.layers.TranslatorTable;
import java.util.List;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A MultiLayerNetwork, layer by layer: each layer's preprocessor, then the layer, with DL4J's own output
 * types ({@code getOutputType}) carried along. The input placeholder is "input"; parameters are named
 * by DL4J's keys ("0_W").
 */
public final class MultiLayerTranslation {
    private MultiLayerTranslation() {
    }

    /** Infers the input type from the configuration. */
    public static TranslatedNetwork of(MultiLayerNetwork net) {
        MultiLayerConfiguration conf = configuration(net);
        InputType type = InputTypes.implied(conf.getConf(0).getLayer(), conf.getInputPreProcess(0));
        if (type == null) {
            throw InputTypes.missing("the MultiLayerNetwork", "NetworkTranslator.translate(net, inputType)");
        }
        return of(net, type);
    }

    /** Takes the shape of one example (no batch dimension). */
    public static TranslatedNetwork of(MultiLayerNetwork net, long[] exampleShape) {
        return of(net, InputTypes.fromShape(exampleShape, configuration(net).getConf(0).getLayer()));
    }

    public static TranslatedNetwork of(MultiLayerNetwork net, InputType inputType) {
        MultiLayerConfiguration conf = configuration(net);
        Translation t = new Translation(conf.getDataType(), TranslatorTable.global(),
                layer -> net.getLayer(Integer.parseInt(layer)).paramTable());
        SDVariable input = t.placeholder("input", inputType);
        SDVariable x = input;
        InputType type = inputType;
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            String name = layer.getLayerName();
            boolean named = name != null && !name.equals("layer" + i);     // DL4J's default name says nothing
            String where = "layer " + i + " (" + layer.getClass().getSimpleName() + (named ? " '" + name + "'" : "") + ")";
            InputPreProcessor p = conf.getInputPreProcess(i);
            if (p != null) {
                x = t.preprocess(p, x, type, where);
                type = p.getOutputType(type);
            }
            InputType out = layer.getOutputType(i, type);
            x = t.layer(String.valueOf(i), where, layer, x, type, out);
            type = out;
        }
        return t.finish(List.of(input), List.of(x));
    }

    private static MultiLayerConfiguration configuration(MultiLayerNetwork net) {
        if (net.getLayers() == null) {
            throw new IllegalArgumentException("Initialise the network first (net.init()): an uninitialised "
                    + "MultiLayerNetwork has no parameters to translate");
        }
        return net.getLayerWiseConfigurations();
    }
}
