package io.github.ssm4j.dl4j;

import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A DL4J network written as a SameDiff graph by {@link NetworkTranslator}: inputs are placeholders
 * ({@code [-1, ...]}, in the network's dtype), the output is the network's output after its last
 * activation (the DL4J loss function is not part of it), and every trainable DL4J parameter is a SameDiff
 * variable ({@link #bindings()}) holding a <b>copy</b> of the parameter, in the shape and element order of
 * DL4J's parameter table ({@code net.getParam(key)}) — or, for the weights of dense and output layers
 * ({@link ParameterBinding#transposed()}), of its transpose, which is DL4J's own memory layout; convert with
 * {@link ParameterBinding#toGraphLayout} and {@link ParameterBinding#toNetworkLayout}.
 *
 * <p>The graph computes what {@code net.output(x, false)} computes: inference mode, so dropout and weight
 * noise are the identity and BatchNormalization uses its running statistics, which are SameDiff constants
 * ({@link #stateBindings()}), not variables.
 *
 * <p>Copies, not views, so that SameDiff never sees DL4J's 'f'-ordered parameter views; keep both sides in
 * step with {@link #pullParameters()} (network → graph) after the network's parameters change, and
 * {@link #pushParameters()} (graph → network) after the graph's variables were trained.
 *
 * <p>Stability: public API.
 */
public interface TranslatedNetwork {
    SameDiff sameDiff();

    /** Input placeholders, in the network's input order (one for a MultiLayerNetwork). */
    List<SDVariable> inputs();

    /** The first input. */
    default SDVariable input() {
        return inputs().get(0);
    }

    /** Network outputs, in the network's output order (one for a MultiLayerNetwork). */
    List<SDVariable> outputs();

    /** The first output. */
    default SDVariable output() {
        return outputs().get(0);
    }

    /**
     * The first output before the output layer's activation (the logits of a classifier), for energy heads
     * such as −logsumexp of the logits.
     */
    default SDVariable preActivationOutput() {
        throw new UnsupportedOperationException("This translation does not expose the output layer's "
                + "pre-activation values");
    }

    /** One binding per trainable DL4J parameter, each to a SameDiff {@code VARIABLE}. */
    List<ParameterBinding> bindings();

    /**
     * One binding per non-trainable DL4J parameter (BatchNormalization's running mean and variance or
     * log10 standard deviation), each to a SameDiff constant.
     */
    List<ParameterBinding> stateBindings();

    /** Copies the DL4J network's current parameters (and state) into the graph's variables (and constants). */
    void pullParameters();

    /** Copies the graph's trainable variables into the DL4J network's parameters (state is left as it is). */
    void pushParameters();

    /** SameDiff variable name → DL4J parameter-table key ("0_W"), for every binding. */
    default Map<String, String> networkKeys() {
        java.util.LinkedHashMap<String, String> m = new java.util.LinkedHashMap<>();
        for (ParameterBinding b : bindings()) {
            m.put(b.variable(), b.networkKey());
        }
        return m;
    }
}
