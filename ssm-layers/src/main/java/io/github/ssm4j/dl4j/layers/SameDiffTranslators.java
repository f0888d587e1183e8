package io.github.ssm4j.dl4j.layers;

import java.lang.reflect.Field;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLambdaVertex;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.nd4j.autodiff.samediff.NameScope;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * DL4J's SameDiff layers and vertices — every subclass of {@code SameDiffLayer} (including
 * {@code SameDiffLambdaLayer}) and of {@code SameDiffVertex} (including {@code SameDiffLambdaVertex}) —
 * translated by their own {@code defineLayer}/{@code defineVertex}, called with our graph, our input
 * variable(s) and our parameter variables. The ops they define are created inside a name scope named
 * after the layer, so fixed names in user code cannot collide across layers.
 *
 * <p>Masks are not translated: {@code defineLayer} receives a {@code null} mask and {@code defineVertex}
 * an empty mask map (DL4J feeds all-ones masks when there is no mask, so layers that only multiply by
 * the mask are unaffected by the difference only if they check for null). {@code SameDiffOutputLayer},
 * which needs labels, is not supported.
 */
public final class SameDiffTranslators {
    private SameDiffTranslators() {
    }

    static void register(TranslatorTable t) {
        t.layerFamily(SameDiffLayer.class, SameDiffTranslators::layer)
         .vertexFamily(SameDiffVertex.class, SameDiffTranslators::vertex);
    }

    private static SDVariable layer(LayerContext<SameDiffLayer> c) {
        Map<String, SDVariable> params = params(c, c.layer().getLayerParams().getParameterKeys());
        NameScope scope = c.sd().withNameScope(scopeName(c));
        try {
            return c.layer().defineLayer(c.sd(), c.input(), params, null);
        } finally {
            scope.close();
        }
    }

    private static SDVariable vertex(VertexContext<SameDiffVertex> c) {
        Map<String, SDVariable> params = params(c, c.vertex().getVertexParams().getParameterKeys());
        List<String> names = c.vertex().getVertexParams().getInputs();
        Map<String, SDVariable> inputs = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            inputs.put(names.get(i), c.inputs().get(i));
        }
        NameScope scope = c.sd().withNameScope(scopeName(c));
        Object cached = swapLambdaInputs(c.vertex(), null);
        try {
            return c.vertex().defineVertex(c.sd(), inputs, params, new LinkedHashMap<>());
        } finally {
            swapLambdaInputs(c.vertex(), cached);
            scope.close();
        }
    }

    /**
     * A SameDiffLambdaVertex caches the input variables of the first graph it was defined in (DL4J's own,
     * once the network has run) and would hand those to our graph; we clear the cache for our call and
     * restore it afterwards. Returns the previous value.
     */
    private static Object swapLambdaInputs(SameDiffVertex vertex, Object value) {
        if (!(vertex instanceof SameDiffLambdaVertex)) {
            return null;
        }
        try {
            Field f = SameDiffLambdaVertex.class.getDeclaredField("inputs");
            f.setAccessible(true);
            Object previous = f.get(vertex);
            f.set(vertex, value);
            return previous;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("Cannot reset the cached inputs of SameDiffLambdaVertex "
                    + vertex.getClass().getName() + " (DL4J version other than 1.0.0-M2.1?)", e);
        }
    }

    /** Created before entering the name scope, so they keep DL4J's key as their name. */
    private static Map<String, SDVariable> params(TranslationContext c, List<String> keys) {
        Map<String, SDVariable> params = new LinkedHashMap<>();
        for (String k : keys) {
            params.put(k, c.param(k));
        }
        return params;
    }

    private static String scopeName(TranslationContext c) {
        return c.id().matches("\\d+") ? "layer" + c.id() : c.id();
    }
}
