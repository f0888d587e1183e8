package io.github.ssm4j.dl4j;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a SameDiff variable of a translated network comes from in the DL4J network.
 *
 * @param variable the SameDiff variable's name
 * @param layer the DL4J layer: its index as a string for a {@code MultiLayerNetwork} ("0", "1", ...), its
 *              vertex name for a {@code ComputationGraph}
 * @param parameter the DL4J parameter key within that layer ("W", "b", "gamma", ...), as in
 *                  {@code Layer.getParamTable()}
 * @param transposed whether the variable holds the parameter's transpose: a dense or output layer's weight
 *                   W [nIn, nOut] is held as Wᵀ [nOut, nIn] (and the graph multiplies by it with a transpose
 *                   flag), because DL4J keeps W column-major, so Wᵀ in SameDiff's row-major order is the same
 *                   memory layout and copying between network and graph is a straight copy instead of a
 *                   transposing one; see {@link #toGraphLayout} and {@link #toNetworkLayout}
 *
 * <p>Stability: public API.
 */
public record ParameterBinding(String variable, String layer, String parameter, boolean transposed) {
    /** A binding whose variable holds the parameter as DL4J shapes it. */
    public ParameterBinding(String variable, String layer, String parameter) {
        this(variable, layer, parameter, false);
    }

    /** The key of the network's own parameter table ({@code net.getParam(key)}): "0_W", "conv1_b". */
    public String networkKey() {
        return layer + "_" + parameter;
    }

    /** A network-shaped array (the parameter, its gradient) as the variable holds it: a view, not a copy. */
    public INDArray toGraphLayout(INDArray networkShaped) {
        return transposed ? networkShaped.transpose() : networkShaped;
    }

    /** A variable-shaped array (the variable's value, its gradient) as the network shapes it: a view. */
    public INDArray toNetworkLayout(INDArray graphShaped) {
        return transposed ? graphShaped.transpose() : graphShaped;
    }
}
