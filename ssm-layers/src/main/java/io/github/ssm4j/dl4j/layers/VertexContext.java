package io.github.ssm4j.dl4j.layers;

import java.util.List;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A {@link TranslationContext} for one ComputationGraph vertex: its configuration and its inputs, in the
 * vertex's input order.
 *
 * <p>Stability: public API.
 */
public interface VertexContext<V extends GraphVertex> extends TranslationContext {
    V vertex();

    List<SDVariable> inputs();

    List<InputType> inputTypes();

    /** The static shape of input {@code i}, {@code -1} for the batch dimension. */
    long[] inputShape(int i);
}
