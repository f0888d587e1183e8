package io.github.ssm4j.examples.recipes;

import io.github.ssm4j.dl4j.EnergyHead;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import io.github.ssm4j.objective.SlicedScoreMatching;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * {@code mlp-score-2d} and {@code mlp-energy-2d}: two hidden softplus layers of 64 units on flat data. The
 * score network outputs D values (s(x)); the energy network one (E(x), s = −∇ₓE). Softplus keeps the
 * learned score smooth, which Langevin sampling needs.
 */
public final class MlpRecipe implements Recipe {
    private static final int WIDTH = 64;
    private final boolean energy;

    private MlpRecipe(boolean energy) {
        this.energy = energy;
    }

    public static MlpRecipe score() {
        return new MlpRecipe(false);
    }

    public static MlpRecipe energy() {
        return new MlpRecipe(true);
    }

    @Override
    public String name() {
        return energy ? "mlp-energy-2d" : "mlp-score-2d";
    }

    @Override
    public String description() {
        return energy ? "MLP energy model E(x), 2 × 64 softplus, s = −∇E; learned log-density up to a constant"
                : "MLP score network s(x), 2 × 64 softplus, output shaped like x";
    }

    @Override
    public ScoreMatchingObjective defaultObjective() {
        return SlicedScoreMatching.varianceReduced(Projection.RADEMACHER);
    }

    @Override
    public String defaultDataset() {
        return "gaussian-mixture";
    }

    @Override
    public String expectedRunTime() {
        return energy ? "≈ 1.5 min (1000 steps)" : "≈ 1 min (1000 steps)";
    }

    @Override
    public EnergyHead energyHead() {
        return energy ? EnergyHead.OUTPUT : EnergyHead.NONE;
    }

    @Override
    public Model build(long[] exampleShape, IUpdater updater, long seed) {
        if (exampleShape.length != 1) {
            throw new IllegalArgumentException(name() + " takes flat examples [D], not "
                    + java.util.Arrays.toString(exampleShape) + "; use an image recipe for images");
        }
        int d = Math.toIntExact(exampleShape[0]);
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).updater(updater).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(d).nOut(WIDTH).activation(Activation.SOFTPLUS).build())
                .layer(new DenseLayer.Builder().nIn(WIDTH).nOut(WIDTH).activation(Activation.SOFTPLUS).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(WIDTH).nOut(energy ? 1 : d)
                        .activation(Activation.IDENTITY).build())
                .build());
        net.init();
        return net;
    }
}
