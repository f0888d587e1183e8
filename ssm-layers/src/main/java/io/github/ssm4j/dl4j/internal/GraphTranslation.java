package io.github.ssm4j.dl4j.internal;

import io.github.ssm4j.dl4j.TranslatedNetwork;
import io.github.ssm4j.dl4j.layers.TranslatorTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A ComputationGraph, vertex by vertex in DL4J's topological order. Output types come from
 * {@code getLayerActivationTypes} on a <em>copy</em> of the configuration (the call adds preprocessors
 * and sets nIn on the configuration it is given). Placeholders are named like the network's inputs;
 * parameters by DL4J's keys ("conv1_W").
 */
public final class GraphTranslation {
    private GraphTranslation() {
    }

    /** Infers each input's type from the layers reading it. */
    public static TranslatedNetwork of(ComputationGraph net) {
        ComputationGraphConfiguration conf = configuration(net);
        List<String> names = conf.getNetworkInputs();
        InputType[] types = new InputType[names.size()];
        for (int i = 0; i < types.length; i++) {
            for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
                if (types[i] == null && e.getValue().contains(names.get(i))
                        && conf.getVertices().get(e.getKey()) instanceof LayerVertex lv) {
                    types[i] = InputTypes.implied(lv.getLayerConf().getLayer(), lv.getPreProcessor());
                }
            }
            if (types[i] == null) {
                throw InputTypes.missing("the ComputationGraph's input '" + names.get(i) + "'",
                        "NetworkTranslator.translate(net, inputTypes...) with one InputType per network input");
            }
        }
        return of(net, types);
    }

    /** Takes the shape of one example (no batch dimension) per network input. */
    public static TranslatedNetwork of(ComputationGraph net, long[][] exampleShapes) {
        ComputationGraphConfiguration conf = configuration(net);
        InputType[] types = new InputType[exampleShapes.length];
        for (int i = 0; i < types.length; i++) {
            types[i] = InputTypes.fromShape(exampleShapes[i], firstReader(conf, conf.getNetworkInputs().get(i)));
        }
        return of(net, types);
    }

    public static TranslatedNetwork of(ComputationGraph net, InputType... inputTypes) {
        ComputationGraphConfiguration conf = configuration(net);
        List<String> inputNames = conf.getNetworkInputs();
        if (inputTypes.length != inputNames.size()) {
            throw new IllegalArgumentException("The ComputationGraph has " + inputNames.size() + " inputs "
                    + inputNames + " but " + inputTypes.length + " input types were given");
        }
        Map<String, InputType> types = activationTypes(conf, inputTypes);
        Translation t = new Translation(conf.getDataType(), TranslatorTable.global(),
                name -> net.getVertex(name).paramTable(false));
        Map<String, SDVariable> values = new HashMap<>();
        List<SDVariable> inputs = new ArrayList<>();
        for (int index : net.topologicalSortOrder()) {
            String name = net.getVertices()[index].getVertexName();
            int inputIndex = inputNames.indexOf(name);
            if (inputIndex >= 0) {
                SDVariable p = t.placeholder(name, inputTypes[inputIndex]);
                inputs.add(p);
                values.put(name, p);
                continue;
            }
            GraphVertex vertex = conf.getVertices().get(name);
            List<String> sources = conf.getVertexInputs().get(name);
            List<SDVariable> in = new ArrayList<>();
            List<InputType> inTypes = new ArrayList<>();
            for (String s : sources) {
                in.add(values.get(s));
                inTypes.add(types.get(s));
            }
            values.put(name, vertex instanceof LayerVertex lv ? layer(t, name, lv, in, inTypes, types.get(name))
                    : t.vertex(name, "vertex '" + name + "' (" + vertex.getClass().getSimpleName() + ")", vertex, in,
                            inTypes, types.get(name)));
        }
        List<SDVariable> outputs = new ArrayList<>();
        for (String o : conf.getNetworkOutputs()) {
            outputs.add(values.get(o));
        }
        return t.finish(inputs, outputs);
    }

    private static SDVariable layer(Translation t, String name, LayerVertex vertex, List<SDVariable> in,
                                    List<InputType> inTypes, InputType outType) {
        Layer layer = vertex.getLayerConf().getLayer();
        String where = "vertex '" + name + "' (" + layer.getClass().getSimpleName() + ")";
        if (in.size() != 1) {
            throw new IllegalStateException(where + " has " + in.size() + " inputs; a layer vertex has one");
        }
        SDVariable x = in.get(0);
        InputType type = inTypes.get(0);
        InputPreProcessor p = vertex.getPreProcessor();
        if (p != null) {
            x = t.preprocess(p, x, type, where);
            type = p.getOutputType(type);
        }
        return t.layer(name, where, layer, x, type, outType);
    }

    /** DL4J's output type of every vertex; a vertex that cannot tell (SameDiffVertex by default) is named. */
    private static Map<String, InputType> activationTypes(ComputationGraphConfiguration conf, InputType[] inputTypes) {
        try {
            return conf.clone().getLayerActivationTypes(true, false, inputTypes);
        } catch (UnsupportedOperationException e) {
            throw new IllegalArgumentException("DL4J cannot compute the output types of this graph's vertices ("
                    + e.getMessage() + "); the translation needs them for static shapes. A SameDiffVertex must "
                    + "override getOutputType(int, InputType...)", e);
        }
    }

    private static Layer firstReader(ComputationGraphConfiguration conf, String input) {
        for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
            if (e.getValue().contains(input) && conf.getVertices().get(e.getKey()) instanceof LayerVertex lv) {
                return lv.getLayerConf().getLayer();
            }
        }
        return null;
    }

    private static ComputationGraphConfiguration configuration(ComputationGraph net) {
        if (net.getVertices() == null) {
            throw new IllegalArgumentException("Initialise the network first (net.init()): an uninitialised "
                    + "ComputationGraph has no parameters to translate");
        }
        return net.getConfiguration();
    }
}
