package io.github.ssm4j.dl4j.layers;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Writes one ComputationGraph vertex (other than a layer vertex) as SameDiff ops: given its inputs,
 * return what the vertex's {@code doForward(false)} computes. Register one with
 * {@link TranslatorTable#vertex}.
 *
 * <p>Stability: public API.
 */
@FunctionalInterface
public interface VertexTranslator<V extends GraphVertex> {
    SDVariable translate(VertexContext<V> c);
}
