package io.github.ssm4j.dl4j.internal;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A DL4J network's parameter tables, by layer id (index or vertex name): live views, not copies. */
@FunctionalInterface
interface ParameterSource {
    Map<String, INDArray> table(String layer);

    /** The table, empty for a layer without parameters. */
    default Map<String, INDArray> tableOrEmpty(String layer) {
        Map<String, INDArray> t = table(layer);
        return t == null ? Map.of() : t;
    }

    default INDArray get(String layer, String key) {
        INDArray p = tableOrEmpty(layer).get(key);
        if (p == null) {
            throw new IllegalStateException("The network has no parameter '" + key + "' in layer " + layer);
        }
        return p;
    }
}
