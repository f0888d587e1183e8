package io.github.ssm4j.dl4j;

import static io.github.ssm4j.dl4j.LayerTranslationTest.dense;
import static io.github.ssm4j.dl4j.LayerTranslationTest.out;

import java.util.Map;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLambdaLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLambdaVertex;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * User SameDiff layers and vertices are translated by their own defineLayer/defineVertex: a layer with
 * parameters (twice in one network, with a fixed op name, so name scoping matters), a lambda layer, a
 * vertex with a parameter and a lambda vertex that has already run inside DL4J.
 */
class SameDiffLayerTranslationTest {
    @BeforeAll
    static void float64() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** 2·tanh(x·W + b), its output named "out" inside defineLayer. */
    public static class ScaledTanhDense extends SameDiffLayer {
        private long nIn;
        private long nOut;

        public ScaledTanhDense() {
        }

        public ScaledTanhDense(long nOut) {
            this.nOut = nOut;
        }

        @Override
        public SDVariable defineLayer(SameDiff sd, SDVariable x, Map<String, SDVariable> p, SDVariable mask) {
            return sd.math.tanh("out", x.mmul(p.get("W")).add(p.get("b"))).mul(2.0);
        }

        @Override
        public void defineParameters(SDLayerParams params) {
            params.addWeightParam("W", nIn, nOut);
            params.addBiasParam("b", 1, nOut);
        }

        @Override
        public void initializeParameters(Map<String, INDArray> params) {
            params.get("W").assign(Nd4j.rand(DataType.DOUBLE, nIn, nOut).subi(0.5));
            params.get("b").assign(Nd4j.rand(DataType.DOUBLE, 1, nOut).subi(0.5));
        }

        @Override
        public InputType getOutputType(int layerIndex, InputType inputType) {
            return InputType.feedForward(nOut);
        }

        @Override
        public void setNIn(InputType inputType, boolean override) {
            if (nIn <= 0 || override) {
                nIn = ((InputType.InputTypeFeedForward) inputType).getSize();
            }
        }

        public long getNIn() {
            return nIn;
        }

        public void setNIn(long nIn) {
            this.nIn = nIn;
        }

        public long getNOut() {
            return nOut;
        }

        public void setNOut(long nOut) {
            this.nOut = nOut;
        }
    }

    /** x·σ(x) + 1, no parameters. */
    public static class ShiftedSwish extends SameDiffLambdaLayer {
        @Override
        public SDVariable defineLayer(SameDiff sd, SDVariable x) {
            return x.mul(sd.nn.sigmoid(x)).add(1.0);
        }

        @Override
        public InputType getOutputType(int layerIndex, InputType inputType) {
            return inputType;
        }
    }

    /** a·w + b with a parameter w of shape [1, n]. */
    public static class GatedSum extends SameDiffVertex {
        private long n;

        public GatedSum() {
        }

        public GatedSum(long n) {
            this.n = n;
        }

        @Override
        public SDVariable defineVertex(SameDiff sd, Map<String, SDVariable> in, Map<String, SDVariable> p,
                                       Map<String, SDVariable> masks) {
            return in.get("a").mul(p.get("w")).add(in.get("b"));
        }

        @Override
        public void defineParametersAndInputs(SDVertexParams params) {
            params.defineInputs("a", "b");
            params.addWeightParam("w", 1, n);
        }

        @Override
        public void initializeParameters(Map<String, INDArray> params) {
            params.get("w").assign(Nd4j.linspace(0.5, 1.5, n, DataType.DOUBLE).reshape(1, n));
        }

        @Override
        public InputType getOutputType(int layerIndex, InputType... inputs) {
            return inputs[0];
        }

        @Override
        public GraphVertex clone() {
            return new GatedSum(n);
        }

        public long getN() {
            return n;
        }

        public void setN(long n) {
            this.n = n;
        }
    }

    /** The product of its two inputs. */
    public static class Product extends SameDiffLambdaVertex {
        @Override
        public SDVariable defineVertex(SameDiff sd, VertexInputs inputs) {
            return inputs.getInput(0).mul(inputs.getInput(1));
        }

        @Override
        public InputType getOutputType(int layerIndex, InputType... inputs) {
            return inputs[0];
        }
    }

    @Test
    void sameDiffLayersInAMultiLayerNetwork() {
        MultiLayerNetwork net = Networks.mln(InputType.feedForward(4), new ScaledTanhDense(5), new ShiftedSwish(),
                new ScaledTanhDense(3), out(2));
        TranslationCheck.of("SameDiff layers", net, () -> NetworkTranslator.translate(net, 4)).verify();
    }

    @Test
    void sameDiffVerticesInAGraphThatHasAlreadyRun() {
        ComputationGraph net = Networks.graph(Networks.float64().graphBuilder()
                .addInputs("x")
                .addLayer("d1", dense(5, Activation.TANH), "x")
                .addLayer("d2", dense(5, Activation.SIGMOID), "x")
                .addVertex("gated", new GatedSum(5), "d1", "d2")
                .addVertex("product", new Product(), "gated", "d1")
                .addLayer("out", out(3), "product")
                .setOutputs("out").setInputTypes(InputType.feedForward(4)).build());
        net.output(Nd4j.rand(DataType.DOUBLE, 2, 4));      // DL4J builds its own graphs for the vertices
        TranslationCheck.of("SameDiff vertices", net, () -> NetworkTranslator.translate(net)).verify();
    }
}
