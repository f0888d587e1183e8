package io.github.ssm4j.bench;

import io.github.ssm4j.dl4j.NetworkTranslator;
import io.github.ssm4j.dl4j.ScoreMatchingTrainer;
import io.github.ssm4j.dl4j.TranslatedNetwork;
import io.github.ssm4j.model.ScoreFunction;
import io.github.ssm4j.train.GraphTrainer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * One benchmark case: the MLP score network D → W → W → D (tanh, identity output, float32, Adam 1e-3) trained
 * on a fixed standard-normal batch of N rows by one objective along one path, ready to {@link #step}.
 *
 * <ul>
 *   <li>{@link Path#DL4J}: {@link ScoreMatchingTrainer} on a {@link MultiLayerNetwork} — what a DL4J user runs:
 *       parameters pulled into the translated graph, gradients handed to the network's own updater.</li>
 *   <li>{@link Path#SAMEDIFF}: {@link GraphTrainer} on the same translated graph — the graph owns its
 *       weights, ND4J updaters per variable; no DL4J in the loop.</li>
 *   <li>{@link Path#SESSION}: the DL4J path with replay off ({@code ObjectiveGraph.setReplay(false)}), so
 *       every step runs SameDiff's inference session: what replay saves, measured in the same JVM.</li>
 * </ul>
 * The plain step is always DL4J's {@code net.fit(x, y)} (MSE to a fixed random target).
 */
public final class StepCase {
    public enum Path { DL4J, SAMEDIFF, SESSION }

    /** The two headline sizes. */
    public static final int SMALL_D = 2;
    public static final int SMALL_W = 128;
    public static final int LARGE_D = 784;
    public static final int LARGE_W = 512;
    public static final int BATCH = 128;

    private final Objective objective;
    private final Path path;
    private final int d;
    private final int w;
    private final int n;
    private final INDArray x;
    private final MultiLayerNetwork net;
    private final Runnable step;

    public StepCase(Objective objective, Path path, int d, int w, int n, long seed) {
        this.objective = objective;
        this.path = path;
        this.d = d;
        this.w = w;
        this.n = n;
        Nd4j.getRandom().setSeed(seed);
        this.x = Nd4j.randn(DataType.FLOAT, n, d);
        this.net = network(d, w, seed);
        if (objective == Objective.PLAIN) {
            INDArray y = Nd4j.randn(DataType.FLOAT, n, d);
            step = () -> net.fit(x, y);
        } else if (path == Path.DL4J || path == Path.SESSION) {
            ScoreMatchingTrainer trainer = ScoreMatchingTrainer.builder(net).objective(objective.objective())
                    .seed(seed).build();
            trainer.graph().setReplay(path == Path.DL4J);
            step = () -> trainer.step(x);
        } else {
            TranslatedNetwork t = NetworkTranslator.translate(net);
            t.pullParameters();
            GraphTrainer trainer = GraphTrainer.builder(objective.objective()
                    .attach(ScoreFunction.ofScore(t.input(), t.output()))).updater(new Adam(1e-3)).seed(seed).build();
            step = () -> trainer.step(x);
        }
    }

    /** The benchmarked network, initialised from {@code seed}. */
    public static MultiLayerNetwork network(int d, int w, long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).updater(new Adam(1e-3)).weightInit(WeightInit.XAVIER).list()
                .layer(new DenseLayer.Builder().nIn(d).nOut(w).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nIn(w).nOut(w).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(w).nOut(d)
                        .activation(Activation.IDENTITY).build())
                .build());
        net.init();
        return net;
    }

    public void step() {
        step.run();
    }

    /** The DL4J network (on the SameDiff path, only the initial weights come from it). */
    public MultiLayerNetwork network() {
        return net;
    }

    public Objective objective() {
        return objective;
    }

    public Path path() {
        return path;
    }

    public int d() {
        return d;
    }

    public int width() {
        return w;
    }

    public int batch() {
        return n;
    }

    public double flops() {
        return Flops.step(objective, n, d, w);
    }
}
