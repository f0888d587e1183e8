package io.github.ssm4j.dl4j;

/**
 * Thrown by {@link NetworkTranslator} when a part of a DL4J network cannot be written as a SameDiff graph:
 * a layer, vertex, preprocessor or activation without a translator, or a configuration option a
 * translator does not support. The message names the element, where it is in the network (layer index
 * or vertex name), what is supported, and how to register a translator — never a silently different
 * graph.
 *
 * <p>Stability: public API.
 */
public class UnsupportedNetworkException extends IllegalArgumentException {
    /** What kind of network element could not be translated. */
    public enum Kind {
        LAYER, VERTEX, PREPROCESSOR, ACTIVATION, INPUT
    }

    private final Kind kind;
    private final String location;

    public UnsupportedNetworkException(Kind kind, String location, String message) {
        super(message);
        this.kind = kind;
        this.location = location;
    }

    public Kind kind() {
        return kind;
    }

    /** Where in the network: "layer 3 (ConvolutionLayer 'cnn1')", "vertex 'merge6' (MergeVertex)". */
    public String location() {
        return location;
    }
}
