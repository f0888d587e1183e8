package io.github.ssm4j.dl4j;

/**
 * Where a SameDiff variable of a translated network comes from in the DL4J network.
 *
 * @param variable the SameDiff variable's name
 * @param layer the DL4J layer: its index as a string for a {@code MultiLayerNetwork} ("0", "1", ...), its
 *              vertex name for a {@code ComputationGraph}
 * @param parameter the DL4J parameter key within that layer ("W", "b", "gamma", ...), as in
 *                  {@code Layer.getParamTable()}
 *
 * <p>Stability: public API.
 */
public record ParameterBinding(String variable, String layer, String parameter) {
    /** The key of the network's own parameter table ({@code net.getParam(key)}): "0_W", "conv1_b". */
    public String networkKey() {
        return layer + "_" + parameter;
    }
}
