package io.github.ssm4j.dl4j.internal;

import io.github.ssm4j.dl4j.UnsupportedNetworkException;
import io.github.ssm4j.dl4j.UnsupportedNetworkException.Kind;
import io.github.ssm4j.dl4j.layers.LayerContext;
import io.github.ssm4j.dl4j.layers.PreprocessorContext;
import io.github.ssm4j.dl4j.layers.TranslationContext;
import io.github.ssm4j.dl4j.layers.VertexContext;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;

/** The contexts translators see, backed by a {@link Translation}. */
final class Contexts {
    private Contexts() {
    }

    /** The three ways a translator asks for a parameter, by the method it calls. */
    private enum Use {
        PARAM("param"), STATE("state"), TIMES("timesParam");

        final String method;

        Use(String method) {
            this.method = method;
        }
    }

    /** Parameters, output type and messages shared by layers and vertices. */
    private abstract static class Base implements TranslationContext {
        final Translation t;
        final String id;
        final String where;
        final InputType outputType;
        private final Map<String, SDVariable> params = new LinkedHashMap<>();
        private final Map<String, Use> uses = new HashMap<>();   // how each parameter in params was asked for

        Base(Translation t, String id, String where, InputType outputType) {
            this.t = t;
            this.id = id;
            this.where = where;
            this.outputType = outputType;
        }

        @Override
        public SameDiff sd() {
            return t.sd;
        }

        @Override
        public DataType dataType() {
            return t.dataType;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String where() {
            return where;
        }

        @Override
        public InputType outputType() {
            return outputType;
        }

        @Override
        public long[] outputShape() {
            return InputTypes.shapeOf(outputType);
        }

        @Override
        public Set<String> paramKeys() {
            return t.parameterKeys(id);
        }

        @Override
        public SDVariable param(String key) {
            return bind(key, Use.PARAM);
        }

        @Override
        public SDVariable state(String key) {
            return bind(key, Use.STATE);
        }

        @Override
        public SDVariable timesParam(SDVariable x, String key) {
            SDVariable w = bind(key, Use.TIMES);
            return t.holdsTransposed(id, key) ? sd().mmul(x, w, false, true, false) : x.mmul(w);  // as bound
        }

        /** The parameter's variable or constant, made on first use; a parameter is asked for one way only. */
        private SDVariable bind(String key, Use use) {
            requireOwn(key);
            Use earlier = uses.putIfAbsent(key, use);
            if (earlier != null && earlier != use) {
                throw new IllegalStateException("The translator of " + where + " uses parameter '" + key
                        + "' both through " + earlier.method + " and through " + use.method);
            }
            return params.computeIfAbsent(key, k -> switch (use) {
                case STATE -> t.bindState(id, k);
                case PARAM -> t.bindParameter(id, k, false);
                case TIMES -> t.bindParameter(id, k, t.holdsTransposed(id, k));
            });
        }

        private void requireOwn(String key) {
            if (!paramKeys().contains(key)) {
                throw new IllegalStateException("The translator of " + where + " asked for parameter '" + key
                        + "', which it does not have; it has " + paramKeys());
            }
        }

        @Override
        public SDVariable activate(IActivation activation, SDVariable x) {
            return t.activate(activation, x, outputShape().length, where);
        }

        @Override
        public SDVariable preprocess(InputPreProcessor preprocessor, SDVariable x, InputType type) {
            return t.preprocess(preprocessor, x, type, where);
        }

        @Override
        public UnsupportedNetworkException unsupported(String what) {
            return new UnsupportedNetworkException(kind(), where, "Cannot translate " + where + ": " + what);
        }

        abstract Kind kind();

        /** Checks the translator's result and that it used every parameter (an unused one is a wrong graph). */
        SDVariable finish(SDVariable out) {
            if (out == null) {
                throw new IllegalStateException("The translator of " + where + " returned no output");
            }
            Set<String> unused = new LinkedHashSet<>(paramKeys());
            unused.removeAll(params.keySet());
            if (!unused.isEmpty()) {
                throw new IllegalStateException("The translator of " + where + " did not use parameter(s) " + unused
                        + ", so its graph would ignore them; use each through param(key) or state(key)");
            }
            return out;
        }
    }

    static final class Layer<L extends org.deeplearning4j.nn.conf.layers.Layer> extends Base
            implements LayerContext<L> {
        private final L layer;
        private final SDVariable input;
        private final InputType inputType;

        Layer(Translation t, String id, String where, InputType outputType, L layer, SDVariable input,
              InputType inputType) {
            super(t, id, where, outputType);
            this.layer = layer;
            this.input = input;
            this.inputType = inputType;
        }

        @Override
        public L layer() {
            return layer;
        }

        @Override
        public SDVariable input() {
            return input;
        }

        @Override
        public InputType inputType() {
            return inputType;
        }

        @Override
        public long[] inputShape() {
            return InputTypes.shapeOf(inputType);
        }

        @Override
        Kind kind() {
            return Kind.LAYER;
        }
    }

    static final class Vertex<V extends GraphVertex> extends Base implements VertexContext<V> {
        private final V vertex;
        private final List<SDVariable> inputs;
        private final List<InputType> inputTypes;

        Vertex(Translation t, String id, String where, InputType outputType, V vertex, List<SDVariable> inputs,
               List<InputType> inputTypes) {
            super(t, id, where, outputType);
            this.vertex = vertex;
            this.inputs = List.copyOf(inputs);
            this.inputTypes = List.copyOf(inputTypes);
        }

        @Override
        public V vertex() {
            return vertex;
        }

        @Override
        public List<SDVariable> inputs() {
            return inputs;
        }

        @Override
        public List<InputType> inputTypes() {
            return inputTypes;
        }

        @Override
        public long[] inputShape(int i) {
            return InputTypes.shapeOf(inputTypes.get(i));
        }

        @Override
        Kind kind() {
            return Kind.VERTEX;
        }
    }

    static final class Preprocessor<P extends InputPreProcessor> implements PreprocessorContext<P> {
        private final Translation t;
        private final String where;
        private final P preprocessor;
        private final SDVariable input;
        private final InputType inputType;

        Preprocessor(Translation t, String where, P preprocessor, SDVariable input, InputType inputType) {
            this.t = t;
            this.where = where;
            this.preprocessor = preprocessor;
            this.input = input;
            this.inputType = inputType;
        }

        @Override
        public SameDiff sd() {
            return t.sd;
        }

        @Override
        public P preprocessor() {
            return preprocessor;
        }

        @Override
        public SDVariable input() {
            return input;
        }

        @Override
        public InputType inputType() {
            return inputType;
        }

        @Override
        public long[] inputShape() {
            return InputTypes.shapeOf(inputType);
        }

        @Override
        public InputType outputType() {
            return preprocessor.getOutputType(inputType);
        }

        @Override
        public long[] outputShape() {
            return InputTypes.shapeOf(outputType());
        }

        @Override
        public String where() {
            return where;
        }

        @Override
        public SDVariable apply(InputPreProcessor other, SDVariable x, InputType type) {
            return t.preprocess(other, x, type, where);
        }

        @Override
        public UnsupportedNetworkException unsupported(String what) {
            return new UnsupportedNetworkException(Kind.PREPROCESSOR, where, "Cannot translate the " + where + ": "
                    + what);
        }
    }
}
