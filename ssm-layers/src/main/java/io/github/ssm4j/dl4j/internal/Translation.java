package io.github.ssm4j.dl4j.internal;

import io.github.ssm4j.dl4j.ParameterBinding;
import io.github.ssm4j.dl4j.UnsupportedNetworkException;
import io.github.ssm4j.dl4j.UnsupportedNetworkException.Kind;
import io.github.ssm4j.dl4j.layers.ActivationTranslator;
import io.github.ssm4j.dl4j.layers.LayerTranslator;
import io.github.ssm4j.dl4j.layers.PreprocessorTranslator;
import io.github.ssm4j.dl4j.layers.TranslatorTable;
import io.github.ssm4j.dl4j.layers.VertexTranslator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One translation in progress: the graph, the parameters bound so far, and the dispatch of each layer,
 * vertex, preprocessor and activation to its translator — with the errors that name what has none.
 */
final class Translation {
    final SameDiff sd = SameDiff.create();
    final DataType dataType;
    final TranslatorTable table;
    final ParameterSource source;
    final List<ParameterBinding> bindings = new ArrayList<>();
    final List<ParameterBinding> states = new ArrayList<>();
    private final java.util.Map<String, Integer> layerOrder = new java.util.HashMap<>();

    Translation(DataType dataType, TranslatorTable table, ParameterSource source) {
        this.dataType = dataType;
        this.table = table;
        this.source = source;
    }

    SDVariable placeholder(String name, InputType type) {
        return sd.placeHolder(name, dataType, InputTypes.shapeOf(type));
    }

    SDVariable layer(String id, String where, Layer layer, SDVariable input, InputType inputType, InputType outputType) {
        LayerTranslator<Layer> translator = table.forLayer(layer);
        if (translator == null) {
            throw new UnsupportedNetworkException(Kind.LAYER, where, "No translator for " + where + ": "
                    + layer.getClass().getName() + ". Supported layers: " + table.supportedLayers()
                    + ". Register one with TranslatorTable.global().layer(" + layer.getClass().getSimpleName()
                    + ".class, c -> ...) (see io.github.ssm4j.dl4j.layers.LayerTranslator).");
        }
        Contexts.Layer<Layer> c = new Contexts.Layer<>(this, id, where, outputType, layer, input, inputType);
        return c.finish(translator.translate(c));
    }

    SDVariable vertex(String id, String where, GraphVertex vertex, List<SDVariable> inputs, List<InputType> inputTypes,
                      InputType outputType) {
        VertexTranslator<GraphVertex> translator = table.forVertex(vertex);
        if (translator == null) {
            throw new UnsupportedNetworkException(Kind.VERTEX, where, "No translator for " + where + ": "
                    + vertex.getClass().getName() + ". Supported vertices: " + table.supportedVertices()
                    + " and layer vertices. Register one with TranslatorTable.global().vertex("
                    + vertex.getClass().getSimpleName() + ".class, c -> ...) (see io.github.ssm4j.dl4j.layers."
                    + "VertexTranslator).");
        }
        Contexts.Vertex<GraphVertex> c = new Contexts.Vertex<>(this, id, where, outputType, vertex, inputs, inputTypes);
        return c.finish(translator.translate(c));
    }

    SDVariable preprocess(InputPreProcessor p, SDVariable input, InputType inputType, String where) {
        PreprocessorTranslator<InputPreProcessor> translator = table.forPreprocessor(p);
        String at = "preprocessor " + p.getClass().getSimpleName() + " of " + where;
        if (translator == null) {
            throw new UnsupportedNetworkException(Kind.PREPROCESSOR, at, "No translator for the " + at + ": "
                    + p.getClass().getName() + ". Supported preprocessors: " + table.supportedPreprocessors()
                    + ". Register one with TranslatorTable.global().preprocessor(" + p.getClass().getSimpleName()
                    + ".class, c -> ...) (see io.github.ssm4j.dl4j.layers.PreprocessorTranslator).");
        }
        return translator.translate(new Contexts.Preprocessor<>(this, at, p, input, inputType));
    }

    SDVariable activate(IActivation activation, SDVariable x, int rank, String where) {
        ActivationTranslator<IActivation> translator = table.forActivation(activation);
        if (translator == null) {
            throw new UnsupportedNetworkException(Kind.ACTIVATION, where, "No translator for the activation "
                    + activation + " (" + activation.getClass().getName() + ") of " + where
                    + ". Supported activations: " + table.supportedActivations() + ". Register one with "
                    + "TranslatorTable.global().activation(" + activation.getClass().getSimpleName()
                    + ".class, (a, x, rank) -> ...) (see io.github.ssm4j.dl4j.layers.ActivationTranslator).");
        }
        return translator.apply(activation, x, rank);
    }

    /** A trainable parameter: a VARIABLE holding a copy of the DL4J parameter, or of its transpose. */
    SDVariable bindParameter(String layer, String key, boolean transposed) {
        String name = freeName(layer + "_" + key);
        layerOrder.putIfAbsent(layer, layerOrder.size());
        ParameterBinding binding = new ParameterBinding(name, layer, key, transposed);
        SDVariable v = sd.var(name, copy(binding.toGraphLayout(source.get(layer, key))));
        bindings.add(binding);
        return v;
    }

    /**
     * Whether a weight the graph multiplies by ({@code x·W}) is better held as Wᵀ: when DL4J keeps W [nIn, nOut]
     * column-major, Wᵀ row-major is the same memory, and the copies a training step makes (parameters into
     * the graph, gradients out of it) are straight copies — for the 784-512-512-784 benchmark network the
     * transposing ones cost ≈ 5 ms of a ≈ 30 ms step. Not for nIn = 1 or nOut = 1 (nothing to gain, and a
     * product x·Wᵀ that can be [1, 1] meets SameDiff's broken mmul gradient for transposed operands, pinned
     * in SameDiffGradientFactsTest). {@code -Dssm4j.translate.transposedWeights=false} turns it off.
     */
    boolean holdsTransposed(String layer, String key) {
        INDArray p = source.get(layer, key);
        return TRANSPOSED_WEIGHTS && p.rank() == 2 && p.ordering() == 'f' && p.size(0) > 1 && p.size(1) > 1;
    }

    private static final boolean TRANSPOSED_WEIGHTS =
            !"false".equalsIgnoreCase(System.getProperty("ssm4j.translate.transposedWeights"));

    /** A non-trainable parameter: a constant holding a copy, refreshed by pullParameters. */
    SDVariable bindState(String layer, String key) {
        String name = freeName(layer + "_" + key);
        layerOrder.putIfAbsent(layer, layerOrder.size());
        SDVariable v = sd.constant(name, copy(source.get(layer, key)));
        states.add(new ParameterBinding(name, layer, key));
        return v;
    }

    Set<String> parameterKeys(String layer) {
        return source.tableOrEmpty(layer).keySet();
    }

    /** A row-major copy in the graph's dtype: the graph's arrays never share memory with the network's. */
    private INDArray copy(INDArray networkArray) {
        return networkArray.castTo(dataType).dup('c');
    }

    private String freeName(String base) {
        String name = base;
        for (int i = 1; sd.hasVariable(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }

    /** Bindings in the network's parameter order (layer by layer, DL4J's key order), not request order. */
    TranslatedGraph finish(List<SDVariable> inputs, List<SDVariable> outputs) {
        return new TranslatedGraph(sd, inputs, outputs, networkOrder(bindings), networkOrder(states), source);
    }

    private List<ParameterBinding> networkOrder(List<ParameterBinding> list) {
        List<ParameterBinding> sorted = new ArrayList<>(list);
        sorted.sort(java.util.Comparator.comparingInt((ParameterBinding b) -> layerOrder.get(b.layer()))
                .thenComparingInt(b -> new ArrayList<>(parameterKeys(b.layer())).indexOf(b.parameter())));
        return sorted;
    }
}
