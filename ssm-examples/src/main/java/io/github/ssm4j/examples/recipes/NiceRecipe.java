package io.github.ssm4j.examples.recipes;

import io.github.ssm4j.dl4j.EnergyHead;
import io.github.ssm4j.examples.flow.LogitDequantisation;
import io.github.ssm4j.examples.flow.NiceFlow;
import io.github.ssm4j.examples.flow.NiceSampler;
import io.github.ssm4j.objective.Projection;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import io.github.ssm4j.objective.SlicedScoreMatching;
import java.util.Arrays;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * {@code nice}: a NICE flow ({@link NiceFlow}) whose output is the exact energy E(y) = −log p(y), trained in
 * logit space on dequantised images — the NICE experiment of Song et al., "Sliced score matching" (UAI
 * 2019), where the same flow is trained by maximum likelihood and by score matching and compared by exact
 * test log-likelihood. Sized for 2 CPU cores: 4 additive couplings, each an MLP D/2 → 2 × 256 softplus
 * → D/2 (the paper: 4 couplings of 5 × 1000). Data: pixels dequantised as (k + U(0, 1))/L and mapped by
 * y = logit(10⁻³ + (1 − 2·10⁻³)x) ({@link LogitDequantisation}); the log-likelihood reported for x in
 * (0, 1)^D includes that map's log-determinant. The dequantisation noise is drawn once per run from the seed
 * (the test split from another seed), so every epoch sees the same dequantised copy of the training set.
 */
public final class NiceRecipe implements Recipe {
    /** The default size; tests use smaller ones. */
    public static final NiceFlow.Size SIZE = new NiceFlow.Size(4, 2, 256);
    /** The logit squeeze λ. */
    public static final double LAMBDA = LogitDequantisation.LAMBDA;

    private final NiceFlow.Size size;

    public NiceRecipe() {
        this(SIZE);
    }

    public NiceRecipe(NiceFlow.Size size) {
        this.size = size;
    }

    @Override
    public String name() {
        return "nice";
    }

    @Override
    public String description() {
        return "NICE flow, " + size + ", Gaussian prior; exact E = −log p in logit space; exact likelihood";
    }

    @Override
    public ScoreMatchingObjective defaultObjective() {
        return SlicedScoreMatching.varianceReduced(Projection.RADEMACHER);
    }

    @Override
    public String defaultDataset() {
        return "mnist";
    }

    @Override
    public String expectedRunTime() {
        return "mle ≈ 5 min (469 steps of 128), ssm-vr ≈ 10 min (200 steps)";
    }

    @Override
    public EnergyHead energyHead() {
        return EnergyHead.OUTPUT;
    }

    @Override
    public boolean normalised() {
        return true;
    }

    @Override
    public DataTransform dataTransform(String dataset) {
        return LogitDequantisation.forDataset(dataset, name());
    }

    /** The flow starts with a SameDiff layer, which does not record its input size. */
    @Override
    public InputType[] inputTypes(long[] exampleShape) {
        return new InputType[] {InputType.feedForward(exampleShape[0])};
    }

    @Override
    public Model build(long[] exampleShape, IUpdater updater, long seed) {
        if (exampleShape.length != 1 || exampleShape[0] % 2 != 0) {
            throw new IllegalArgumentException("nice takes flat examples with an even number of values, not "
                    + Arrays.toString(exampleShape));
        }
        return NiceFlow.build(exampleShape[0], size, updater, seed, DataType.FLOAT);
    }

    @Override
    public INDArray exactSamples(Model network, int n, long seed) {
        return NiceSampler.sample((ComputationGraph) network, n, seed);
    }
}
