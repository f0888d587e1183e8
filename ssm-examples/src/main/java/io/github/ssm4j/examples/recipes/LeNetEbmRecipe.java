package io.github.ssm4j.examples.recipes;

import io.github.ssm4j.dl4j.EnergyHead;
import io.github.ssm4j.examples.flow.LogitDequantisation;
import io.github.ssm4j.objective.NoisedData;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import io.github.ssm4j.objective.SlicedScoreMatching;
import java.util.Arrays;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.zoo.model.LeNet;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftPlus;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * {@code lenet-ebm}: DL4J zoo's LeNet read as an energy-based model, E(x) = −logsumexp of its ten logits
 * (Grathwohl et al., ICLR 2020), trained by SSM-VR on Gaussian-smoothed MNIST — forward-over-reverse through the
 * convolutions and max pooling for vᵀ∇²E v. The zoo's ReLU is replaced by softplus: a piecewise-linear
 * network gives an energy without the curvature score matching needs (see {@link #build}). The images are dequantised and mapped to logit space first
 * ({@link LogitDequantisation}, as for {@code nice}): raw pixels, mostly exactly 0 or 1, have no density on
 * R^784 and so no score to match — trained on them, SSM-VR found the trivial flat energy (docs/RESULTS.md).
 */
public final class LeNetEbmRecipe implements Recipe {
    @Override
    public String name() {
        return "lenet-ebm";
    }

    @Override
    public String description() {
        return "DL4J zoo LeNet as an energy model, E = −logsumexp(logits), softplus for ReLU, 28×28 input";
    }

    /** Gaussian smoothing of the logit-space data, in logit units (see {@link #defaultObjective}). */
    static final double DATA_NOISE = 0.5;

    /**
     * SSM-VR on the data smoothed by N(0, 0.5²): dequantised pixels give the density hard edges, where
     * SSM-VR on the raw data ran away below any bound (docs/RESULTS.md); on the smoothed density its
     * minimum is at least −½·D/σ² = −1568.
     */
    @Override
    public ScoreMatchingObjective defaultObjective() {
        return NoisedData.of(SlicedScoreMatching.varianceReduced(Projection.RADEMACHER), DATA_NOISE);
    }

    @Override
    public String defaultDataset() {
        return "mnist";
    }

    @Override
    public String expectedRunTime() {
        return "≈ 2 s per step of 64: 300 steps ≈ 10 min, then ≈ 6 min of Langevin sampling";
    }

    @Override
    public DataTransform dataTransform(String dataset) {
        return LogitDequantisation.forDataset(dataset, name());
    }

    @Override
    public EnergyHead energyHead() {
        return EnergyHead.NEGATIVE_LOG_SUM_EXP;
    }

    @Override
    public Model build(long[] exampleShape, IUpdater updater, long seed) {
        if (exampleShape.length != 1 || exampleShape[0] != 28 * 28) {
            throw new IllegalArgumentException("lenet-ebm takes flat 28×28 images (784 values), not "
                    + Arrays.toString(exampleShape));
        }
        MultiLayerConfiguration conf = LeNet.builder().numClasses(10).inputShape(new int[] {1, 28, 28})
                .updater(updater).seed(seed).build().conf();
        // A ReLU network is piecewise linear in x, so −logsumexp of its logits is concave almost everywhere:
        // vᵀ∇ₓs v = −vᵀ∇²E v ≥ 0 and the SSM loss is never below zero, its minimum the flat energy (measured:
        // the loss fell to 1e-4 and stayed there). Score matching needs curvature: softplus instead.
        for (NeuralNetConfiguration layer : conf.getConfs()) {
            if (layer.getLayer() instanceof BaseLayer b && b.getActivationFn() instanceof ActivationReLU) {
                b.setActivationFn(new ActivationSoftPlus());
            }
        }
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net.convertDataType(DataType.FLOAT);
    }
}
