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
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * {@code ncsn-lite}: a small convolutional noise-conditional score network s(x, σ) in the spirit of Song and
 * Ermon (NeurIPS 2019) sized for 2 cores — 3×3 convolutions (32 channels, softplus) each followed by FiLM
 * conditioning on log σ, a 3×3 convolution back to the image's channels, and division by σ ("Improved
 * techniques", 2020). Trained by σ²-weighted denoising score matching over a geometric schedule from 1 to
 * 0.01 (or, with {@code --objective ssm|ssm-vr|ism|fd-ssm}, by that objective over the same ladder,
 * {@code NoiseLadder}) and sampled by annealed Langevin dynamics. Flat inputs of H·W pixels (digits 8×8, MNIST 28×28) are
 * reshaped to 1×H×W inside the network; the output is flat again, shaped like x.
 *
 * <p>The score at a pixel must see the whole image for samples to be digits rather than strokes: three
 * convolutions see 9×9 pixels, which covers digits 8×8 but gave stroke fragments on 28×28 MNIST
 * (docs/RESULTS.md). For larger images a global branch on a 4×4-pooled grid feeds the whole image's
 * context into the last convolution (see {@link #withGlobalBranch}); a small U-net, tried first, saw the
 * whole image too but denoised worse (held-out loss 87.8 against the plain network's 53.4 after the same
 * 1500 steps) and drew near-empty canvases. (Dilated convolutions would widen the view at full resolution, but
 * the oneDNN build of libnd4j M2.1 — the fast one for convolutions — fails on them: "could not create a
 * descriptor for a dilated convolution forward propagation primitive".)
 */
public final class NcsnLiteRecipe implements Recipe {
    private static final int WIDTH = 32;
    /** The side the plain network's receptive field covers: three 3×3 convolutions and the 3×3 head. */
    static final int PLAIN_FIELD = 9;
    private static final double[] SIGMAS = DenoisingScoreMatching.geometricSchedule(1.0, 0.01, 10);

    @Override
    public String name() {
        return "ncsn-lite";
    }

    @Override
    public String description() {
        return "noise-conditional conv score network s(x, σ): 3×3 convs + FiLM on log σ (+ a global branch above 9×9), output / σ";
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
        return "digits: ≈ 0.2 s per step, 1500 steps ≈ 5 min; MNIST: ≈ 0.5 s per step with -Dnd4j.extension=-onednn-avx2 (≈ 4 s with the generic build), 1500 steps ≈ 12–15 min alone";
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
        String features = side <= PLAIN_FIELD ? plain(g) : withGlobalBranch(g, side);
        g.addLayer("head", new ConvolutionLayer.Builder(3, 3).nOut(1).activation(Activation.IDENTITY).build(), features)
                .addVertex("scaled", new DivideBySigmaVertex(), "head", "sigma")
                .addVertex("score", new PreprocessorVertex(new CnnToFeedForwardPreProcessor(side, side, 1)), "scaled")
                .setOutputs("score");
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        return net;
    }

    /** Three conditioned convolutions at full resolution; with the head they see 9×9 pixels. */
    private static String plain(ComputationGraphConfiguration.GraphBuilder g) {
        String previous = "image";
        for (int i = 1; i <= 3; i++) {
            previous = conditionedConv(g, "conv" + i, previous, 3);
        }
        return previous;
    }

    /**
     * The plain network with a global branch, for images larger than 9×9: the second convolution's
     * features are average-pooled 4×4, pass two conditioned convolutions whose kernels span that whole
     * coarse grid, are up-sampled back (nearest neighbour) and added to those features before the third
     * convolution. Every output pixel then sees every input pixel, while the full-resolution path — which
     * does the fine denoising at small σ — stays the plain network's.
     */
    private static String withGlobalBranch(ComputationGraphConfiguration.GraphBuilder g, int side) {
        if (side % 4 != 0) {
            throw new IllegalArgumentException("ncsn-lite pools images larger than " + PLAIN_FIELD + "×"
                    + PLAIN_FIELD + " 4×4, so their side must be divisible by 4; got " + side + "×" + side);
        }
        String local = conditionedConv(g, "conv2", conditionedConv(g, "conv1", "image", 3), 3);
        g.addLayer("pool", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(4, 4).stride(4, 4).build(), local);
        // two layers of an odd kernel k ≥ side/4 connect any two cells of the coarse grid: 2·(k−1)/2 ≥ side/4 − 1
        int coarse = side / 4;
        int k = coarse % 2 == 1 ? coarse : coarse + 1;
        String global = conditionedConv(g, "global2", conditionedConv(g, "global1", "pool", k), k);
        g.addLayer("up", new Upsampling2D.Builder(4).build(), global)
                .addVertex("context", new ElementWiseVertex(ElementWiseVertex.Op.Add), local, "up");
        return conditionedConv(g, "conv3", "context", 3);
    }

    /** A k×k softplus convolution to {@link #WIDTH} channels, then FiLM on log σ; returns the FiLM vertex. */
    private static String conditionedConv(ComputationGraphConfiguration.GraphBuilder g, String name, String input,
                                          int k) {
        g.addLayer(name, new ConvolutionLayer.Builder(k, k).nOut(WIDTH).activation(Activation.SOFTPLUS).build(), input)
                .addVertex(name + "-film", SigmaFiLMVertex.builder().channels(WIDTH).build(), name, "sigma");
        return name + "-film";
    }

}
