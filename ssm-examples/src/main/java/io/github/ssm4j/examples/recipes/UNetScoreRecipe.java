package io.github.ssm4j.examples.recipes;

import io.github.ssm4j.dl4j.EnergyHead;
import io.github.ssm4j.dl4j.conditional.DivideBySigmaVertex;
import io.github.ssm4j.objective.DenoisingScoreMatching;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import java.util.Arrays;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.model.UNet;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * {@code unet-score}: DL4J zoo's UNet (31 M parameters) as a noise-conditional score network s(x, σ) for
 * 28×28 images. UNet needs sides divisible by 16, so the flat image is reshaped to 1×28×28 and zero-padded
 * to 32×32 in front of the zoo graph, and the output is cropped back and flattened; the zoo's sigmoid output
 * (a segmentation mask) is replaced by an identity output, since a score takes any real value.
 *
 * <p>The zoo's weights cannot see σ, so the output is divided by it ({@link DivideBySigmaVertex}, Song and
 * Ermon, "Improved techniques", NeurIPS 2020): one network then covers a whole schedule of noise levels,
 * which annealed Langevin sampling needs — a model of the data's score at one level leads chains from noise
 * nowhere (docs/RESULTS.md, {@code lenet-ebm} by DSM). Trained by σ²-weighted denoising score matching: an
 * SSM-VR step through this network costs ≈ 17 s on 2 cores (forward-over-reverse through 23 convolutions),
 * a DSM step one backward pass. {@code --objective ssm-vr} trains it over the same σ ladder by SSM-VR
 * ({@code NoiseLadder}).
 */
public final class UNetScoreRecipe implements Recipe {
    @Override
    public String name() {
        return "unet-score";
    }

    @Override
    public String description() {
        return "DL4J zoo UNet as a noise-conditional score network s(x, σ) = UNet(x)/σ (28×28 padded to 32×32)";
    }

    private static final double[] SIGMAS = DenoisingScoreMatching.geometricSchedule(1.0, 0.01, 10);

    @Override
    public ScoreMatchingObjective defaultObjective() {
        return DenoisingScoreMatching.noiseConditional(SIGMAS);
    }

    @Override
    public String noiseLevelInput() {
        return "sigma";
    }

    @Override
    public double[] samplingSigmas() {
        return SIGMAS.clone();
    }

    @Override
    public String defaultDataset() {
        return "mnist";
    }

    @Override
    public String expectedRunTime() {
        return "≈ 13 s per DSM step of 32 with -Dnd4j.extension=-onednn-avx2 (measured beside other runs): 300 steps ≈ 1 h; SSM-VR ≈ 17 s per step of 16";
    }

    @Override
    public EnergyHead energyHead() {
        return EnergyHead.NONE;
    }

    @Override
    public InputType[] inputTypes(long[] exampleShape) {
        return new InputType[] {InputType.feedForward(exampleShape[0]), InputType.feedForward(1)};
    }

    @Override
    public Model build(long[] exampleShape, IUpdater updater, long seed) {
        if (exampleShape.length != 1 || exampleShape[0] != 28 * 28) {
            throw new IllegalArgumentException("unet-score takes flat 28×28 images (784 values), not "
                    + Arrays.toString(exampleShape));
        }
        ComputationGraphConfiguration.GraphBuilder g = UNet.builder().numClasses(1).inputShape(new int[] {1, 32, 32})
                .updater(updater).seed(seed).build().graphBuilder();
        // the zoo graph reads a vertex called "input": make it the padded image
        g.addInputs("x", "sigma")
                .addVertex("image", new PreprocessorVertex(new FeedForwardToCnnPreProcessor(28, 28, 1)), "x")
                .addLayer("input", new ZeroPaddingLayer.Builder(2, 2).build(), "image");
        // The zoo's last 3×3 layer narrows to 2 ReLU channels (a segmentation head). As a score head both
        // channels died within 5 Adam steps (measured: no positive activation left, a constant score, the
        // loss stuck at ½D), so it is made linear: with the 1×1 conv10 after it, a linear 64 → 1 head.
        ((ConvolutionLayer) ((LayerVertex) g.getVertices().get("conv9-3")).getLayerConf().getLayer())
                .setActivationFn(new ActivationIdentity());
        g.removeVertex("output");
        g.getNetworkOutputs().clear();
        g.addLayer("output", new CnnLossLayer.Builder().activation(Activation.IDENTITY).build(), "conv10")
                .addVertex("scaled", new DivideBySigmaVertex(), "output", "sigma")
                .addLayer("cropped", new Cropping2D(2, 2), "scaled")
                .addVertex("score", new PreprocessorVertex(new CnnToFeedForwardPreProcessor(28, 28, 1)), "cropped")
                .setOutputs("score")
                .setInputTypes(InputType.feedForward(28 * 28), InputType.feedForward(1));
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        return net;
    }
}
