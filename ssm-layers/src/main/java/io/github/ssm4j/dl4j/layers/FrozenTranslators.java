package io.github.ssm4j.dl4j.layers;

import io.github.ssm4j.dl4j.UnsupportedNetworkException;
import java.util.Set;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Frozen layers (transfer learning: {@code FrozenLayer}, {@code FrozenLayerWithBackprop}) are their
 * wrapped layer's translation with every parameter a constant, so score matching trains only the
 * unfrozen layers — as DL4J's own training would. Like DL4J, a frozen layer always runs in inference
 * mode.
 */
public final class FrozenTranslators {
    private FrozenTranslators() {
    }

    static void register(TranslatorTable t) {
        t.layer(FrozenLayer.class, c -> frozen(t, c, c.layer().getLayer()))
         .layer(FrozenLayerWithBackprop.class, c -> frozen(t, c, c.layer().getUnderlying()));
    }

    private static <L extends Layer> SDVariable frozen(TranslatorTable t, LayerContext<?> c, L inner) {
        LayerTranslator<L> translator = t.forLayer(inner);
        if (translator == null) {
            throw c.unsupported("the frozen layer wraps a " + inner.getClass().getName() + ", which has no translator; "
                    + "supported layers: " + t.supportedLayers());
        }
        return translator.translate(new Frozen<>(c, inner));
    }

    /** The wrapper's context, seen as the wrapped layer's, with parameters as constants. */
    private record Frozen<L extends Layer>(LayerContext<?> c, L layer) implements LayerContext<L> {
        @Override
        public SDVariable param(String key) {
            return c.state(key);
        }

        @Override
        public SDVariable state(String key) {
            return c.state(key);
        }

        @Override
        public SDVariable timesParam(SDVariable x, String key) {
            return x.mmul(c.state(key));
        }

        @Override
        public SameDiff sd() {
            return c.sd();
        }

        @Override
        public DataType dataType() {
            return c.dataType();
        }

        @Override
        public String id() {
            return c.id();
        }

        @Override
        public String where() {
            return c.where();
        }

        @Override
        public InputType outputType() {
            return c.outputType();
        }

        @Override
        public long[] outputShape() {
            return c.outputShape();
        }

        @Override
        public Set<String> paramKeys() {
            return c.paramKeys();
        }

        @Override
        public SDVariable activate(IActivation activation, SDVariable x) {
            return c.activate(activation, x);
        }

        @Override
        public SDVariable preprocess(InputPreProcessor preprocessor, SDVariable x, InputType type) {
            return c.preprocess(preprocessor, x, type);
        }

        @Override
        public UnsupportedNetworkException unsupported(String what) {
            return c.unsupported(what);
        }

        @Override
        public SDVariable input() {
            return c.input();
        }

        @Override
        public InputType inputType() {
            return c.inputType();
        }

        @Override
        public long[] inputShape() {
            return c.inputShape();
        }
    }
}
