package io.github.ssm4j.dl4j.layers;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.IActivation;

/**
 * The translators from DL4J configuration classes to SameDiff ops, one table for layers, vertices,
 * preprocessors and activations. The built-in translators are registered here, one family per file
 * ({@link DenseTranslators}, {@link ConvolutionTranslators}, {@link PoolingTranslators},
 * {@link SpatialTranslators}, {@link NormalizationTranslators}, {@link OutputTranslators},
 * {@link SameDiffTranslators}, {@link FrozenTranslators}, {@link VertexTranslators},
 * {@link PreprocessorTranslators}, {@link ActivationTranslators}); adding your own is one call:
 *
 * <pre>{@code
 * TranslatorTable.global().layer(MyScaleLayer.class,
 *     c -> c.input().mul(c.param("scale")));          // every parameter must be used
 * }</pre>
 *
 * <p>A class is looked up exactly (DL4J's {@code Deconvolution2D} extends {@code ConvolutionLayer} but
 * computes something else, so a subclass never inherits its parent's translator by accident), except
 * for families registered with {@link #layerFamily}/{@link #vertexFamily} — such as every
 * {@code SameDiffLayer} — whose subclasses all share one translator. The exact registration wins.
 *
 * <p>Stability: public API.
 */
public final class TranslatorTable {
    private static final TranslatorTable GLOBAL = new TranslatorTable();

    static {
        DenseTranslators.register(GLOBAL);
        OutputTranslators.register(GLOBAL);
        ConvolutionTranslators.register(GLOBAL);
        PoolingTranslators.register(GLOBAL);
        SpatialTranslators.register(GLOBAL);
        NormalizationTranslators.register(GLOBAL);
        SameDiffTranslators.register(GLOBAL);
        FrozenTranslators.register(GLOBAL);
        VertexTranslators.register(GLOBAL);
        PreprocessorTranslators.register(GLOBAL);
        ActivationTranslators.register(GLOBAL);
    }

    private final Registry<LayerTranslator<?>> layers = new Registry<>();
    private final Registry<VertexTranslator<?>> vertices = new Registry<>();
    private final Registry<PreprocessorTranslator<?>> preprocessors = new Registry<>();
    private final Registry<ActivationTranslator<?>> activations = new Registry<>();

    private TranslatorTable() {
    }

    /** The table {@code NetworkTranslator} uses. */
    public static TranslatorTable global() {
        return GLOBAL;
    }

    /** Registers (or replaces) the translator of exactly this layer configuration class. */
    public <L extends Layer> TranslatorTable layer(Class<L> type, LayerTranslator<L> translator) {
        layers.put(type, translator, false);
        return this;
    }

    /** Registers a translator for this layer class and all its subclasses without their own. */
    public <L extends Layer> TranslatorTable layerFamily(Class<L> type, LayerTranslator<L> translator) {
        layers.put(type, translator, true);
        return this;
    }

    public <V extends GraphVertex> TranslatorTable vertex(Class<V> type, VertexTranslator<V> translator) {
        vertices.put(type, translator, false);
        return this;
    }

    public <V extends GraphVertex> TranslatorTable vertexFamily(Class<V> type, VertexTranslator<V> translator) {
        vertices.put(type, translator, true);
        return this;
    }

    public <P extends InputPreProcessor> TranslatorTable preprocessor(Class<P> type,
                                                                     PreprocessorTranslator<P> translator) {
        preprocessors.put(type, translator, false);
        return this;
    }

    public <A extends IActivation> TranslatorTable activation(Class<A> type, ActivationTranslator<A> translator) {
        activations.put(type, translator, false);
        return this;
    }

    /** The translator for a layer configuration, or {@code null}. */
    @SuppressWarnings("unchecked")
    public <L extends Layer> LayerTranslator<L> forLayer(L layer) {
        return (LayerTranslator<L>) layers.find(layer.getClass());
    }

    @SuppressWarnings("unchecked")
    public <V extends GraphVertex> VertexTranslator<V> forVertex(V vertex) {
        return (VertexTranslator<V>) vertices.find(vertex.getClass());
    }

    @SuppressWarnings("unchecked")
    public <P extends InputPreProcessor> PreprocessorTranslator<P> forPreprocessor(P preprocessor) {
        return (PreprocessorTranslator<P>) preprocessors.find(preprocessor.getClass());
    }

    @SuppressWarnings("unchecked")
    public <A extends IActivation> ActivationTranslator<A> forActivation(A activation) {
        return (ActivationTranslator<A>) activations.find(activation.getClass());
    }

    /** Simple names of the supported layer classes, sorted; a family is marked "(and subclasses)". */
    public Set<String> supportedLayers() {
        return layers.names();
    }

    public Set<String> supportedVertices() {
        return vertices.names();
    }

    public Set<String> supportedPreprocessors() {
        return preprocessors.names();
    }

    public Set<String> supportedActivations() {
        return activations.names();
    }

    /** Exact registrations and families, looked up by the class and then its superclasses. */
    private static final class Registry<T> {
        private final Map<Class<?>, T> exact = new ConcurrentHashMap<>();
        private final Map<Class<?>, T> families = new ConcurrentHashMap<>();

        void put(Class<?> type, T translator, boolean family) {
            if (type == null || translator == null) {
                throw new IllegalArgumentException("Register a class and a translator, not null");
            }
            (family ? families : exact).put(type, translator);
            (family ? exact : families).remove(type);
        }

        T find(Class<?> type) {
            T t = exact.get(type);
            for (Class<?> c = type; t == null && c != null; c = c.getSuperclass()) {
                t = families.get(c);
            }
            return t;
        }

        Set<String> names() {
            Set<String> names = new TreeSet<>();
            exact.keySet().forEach(c -> names.add(c.getSimpleName()));
            families.keySet().forEach(c -> names.add(c.getSimpleName() + " (and subclasses)"));
            return names;
        }
    }
}
