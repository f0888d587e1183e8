package io.github.ssm4j.examples.recipes;

import io.github.ssm4j.dl4j.EnergyHead;
import io.github.ssm4j.dl4j.conditional.DivideBySigmaVertex;
import io.github.ssm4j.dl4j.conditional.SigmaFiLMVertex;
import io.github.ssm4j.objective.DenoisingScoreMatching;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import java.util.Arrays;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * {@code ncsn-lite}: a small convolutional noise-conditional score network s(x, σ) in the spirit of Song and
 * Ermon (NeurIPS 2019) sized for 2 cores — three 3×3 convolutions (32, 32 channels, softplus) each followed
 * by FiLM conditioning on log σ, a 3×3 convolution back to the image's channels, and division by σ
 * ("Improved techniques", 2020). Trained by σ²-weighted denoising score matching over a geometric
 * schedule from 1 to 0.01 and sampled by annealed Langevin dynamics. Flat inputs of H·W pixels (digits
 * 8×8, MNIST 28×28) are reshaped to 1×H×W inside the network; the output is flat again, shaped like x.
 */
public final class NcsnLiteRecipe implements Recipe {
    private static final int WIDTH = 32;
    private static final double[] SIGMAS = DenoisingScoreMatching.geometricSchedule(1.0, 0.01, 10);

    @Override
    public String name() {
        return "ncsn-lite";
    }

    @Override
    public String description() {
        return "noise-conditional conv score network s(x, σ): 3 × (3×3 conv + FiLM on log σ), output / σ";
    }

    @Override
    public ScoreMatchingObjective defaultObjective() {
        return DenoisingScoreMatching.noiseConditional(SIGMAS);
    }

    @Override
    public String defaultDataset() {
        return "digits";
    }

    @Override
    public String expectedRunTime() {
        return "digits: ≈ 0.2 s per step, 1500 steps ≈ 5 min; MNIST: ≈ 0.4 s per step with -Dnd4j.extension=-onednn-avx2 (≈ 4 s with the generic build), 1500 steps ≈ 12 min";
    }

    @Override
    public EnergyHead energyHead() {
        return EnergyHead.NONE;
    }

    @Override
    public String noiseLevelInput() {
        return "sigma";
    }

    @Override
    public double[] samplingSigmas() {
        return SIGMAS.clone();
    }

    private static int side(long[] exampleShape) {
        if (exampleShape.length != 1) {
            throw new IllegalArgumentException("ncsn-lite takes flat square images [H·W], not "
                    + Arrays.toString(exampleShape));
        }
        int side = (int) Math.round(Math.sqrt(exampleShape[0]));
        if ((long) side * side != exampleShape[0]) {
            throw new IllegalArgumentException("ncsn-lite takes flat square images; " + exampleShape[0]
                    + " pixels is not a square");
        }
        return side;
    }

    @Override
    public InputType[] inputTypes(long[] exampleShape) {
        return new InputType[] {InputType.feedForward(exampleShape[0]), InputType.feedForward(1)};
    }

    @Override
    public Model build(long[] exampleShape, IUpdater updater, long seed) {
        int side = side(exampleShape);
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).updater(updater).weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Same).graphBuilder()
                .addInputs("x", "sigma")
                .setInputTypes(InputType.feedForward((long) side * side), InputType.feedForward(1))
                .addVertex("image", new PreprocessorVertex(new FeedForwardToCnnPreProcessor(side, side, 1)), "x");
        String previous = "image";
        for (int i = 1; i <= 3; i++) {
            g.addLayer("conv" + i, new ConvolutionLayer.Builder(3, 3).nOut(WIDTH).activation(Activation.SOFTPLUS)
                    .build(), previous);
            g.addVertex("film" + i, SigmaFiLMVertex.builder().channels(WIDTH).build(), "conv" + i, "sigma");
            previous = "film" + i;
        }
        g.addLayer("head", new ConvolutionLayer.Builder(3, 3).nOut(1).activation(Activation.IDENTITY).build(), previous)
                .addVertex("scaled", new DivideBySigmaVertex(), "head", "sigma")
                .addVertex("score", new PreprocessorVertex(new CnnToFeedForwardPreProcessor(side, side, 1)), "scaled")
                .setOutputs("score");
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        return net;
    }
}
