package io.github.ssm4j.dl4j;

import io.github.ssm4j.dl4j.internal.GraphTranslation;
import io.github.ssm4j.dl4j.internal.MultiLayerTranslation;
import io.github.ssm4j.dl4j.layers.TranslatorTable;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Writes a DL4J network — configuration and current parameters — as a SameDiff graph that computes
 * exactly what {@code net.output(x, false)} computes, so that the score-matching objectives, which
 * differentiate the model with respect to its input, can train it:
 *
 * <pre>{@code
 * TranslatedNetwork g = NetworkTranslator.translate(net);                     // flat or dense input
 * TranslatedNetwork g = NetworkTranslator.translate(cnn, InputType.convolutional(28, 28, 1));
 * ScoreFunction s = ScoreFunction.ofScore(g.input(), g.output());
 * }</pre>
 *
 * <p>Each layer, vertex, preprocessor and activation is written by a translator looked up in
 * {@link TranslatorTable#global()} (see there for what is supported and how to add one); anything without
 * a translator is an {@link UnsupportedNetworkException} naming it, where it is, and what is supported.
 *
 * <p>DL4J keeps no input type in a built configuration. A network whose first layer is dense, or whose
 * input is flattened images ({@code InputType.convolutionalFlat}, which leaves a
 * {@code FeedForwardToCnnPreProcessor}), reveals its input size; a network that starts with a
 * convolution does not, and needs an {@code InputType} or a per-example shape.
 *
 * <p>Stability: public API.
 */
public final class NetworkTranslator {
    private NetworkTranslator() {
    }

    /** Translates a network whose configuration reveals its input size (see the class doc). */
    public static TranslatedNetwork translate(MultiLayerNetwork net) {
        return MultiLayerTranslation.of(net);
    }

    /** Translates a network with input of the given type. */
    public static TranslatedNetwork translate(MultiLayerNetwork net, InputType inputType) {
        return MultiLayerTranslation.of(net, inputType);
    }

    /**
     * Translates a network with input of the given per-example shape (no batch dimension): {@code [n]}
     * for feature vectors, {@code [channels, height, width]} for images ({@code [height, width, channels]}
     * if the first layer is NHWC).
     */
    public static TranslatedNetwork translate(MultiLayerNetwork net, long... exampleShape) {
        return MultiLayerTranslation.of(net, exampleShape);
    }

    /** Translates a graph whose configuration reveals every input's size (see the class doc). */
    public static TranslatedNetwork translate(ComputationGraph net) {
        return GraphTranslation.of(net);
    }

    /** Translates a graph with inputs of the given types, one per network input in its input order. */
    public static TranslatedNetwork translate(ComputationGraph net, InputType... inputTypes) {
        return GraphTranslation.of(net, inputTypes);
    }

    /** Translates a graph with inputs of the given per-example shapes, one per network input. */
    public static TranslatedNetwork translate(ComputationGraph net, long[]... exampleShapes) {
        return GraphTranslation.of(net, exampleShapes);
    }
}
