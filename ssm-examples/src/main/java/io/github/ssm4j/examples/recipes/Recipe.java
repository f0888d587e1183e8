package io.github.ssm4j.examples.recipes;

import io.github.ssm4j.dl4j.EnergyHead;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * A model-zoo recipe: a DL4J network for data of a given shape, how its output becomes a score model, and
 * the defaults {@code ssm train --model NAME} uses.
 */
public interface Recipe {
    String name();

    String description();

    /** The objective used when {@code --objective} is not given. */
    ScoreMatchingObjective defaultObjective();

    /** The dataset used when {@code --dataset} is not given. */
    String defaultDataset();

    /** A rough full-run time on 2 CPU cores, for {@code ssm zoo}. */
    String expectedRunTime();

    /** How the network's output becomes a score model. */
    EnergyHead energyHead();

    /** Builds and initialises the network for examples of shape {@code exampleShape} (no batch dimension). */
    Model build(long[] exampleShape, IUpdater updater, long seed);

    /** The network input that carries σ for noise-conditional recipes, or null. */
    default String noiseLevelInput() {
        return null;
    }

    /** The input types to translate the network with, where DL4J does not record them; null if not needed. */
    default org.deeplearning4j.nn.conf.inputs.InputType[] inputTypes(long[] exampleShape) {
        return null;
    }

    /** The noise levels to sample with by annealed Langevin (noise-conditional recipes), or null. */
    default double[] samplingSigmas() {
        return null;
    }

    /**
     * Whether the network's energy is normalised, E(x) = −log p(x) exactly (a flow), so that its likelihood can be
     * reported and maximum likelihood is a meaningful objective.
     */
    default boolean normalised() {
        return false;
    }

    /** The map from the features of {@code dataset} to the network's input; the identity by default. */
    default DataTransform dataTransform(String dataset) {
        return DataTransform.IDENTITY;
    }

    /** {@code n} exact samples of the network's input (for models that have an exact sampler), or null. */
    default INDArray exactSamples(Model network, int n, long seed) {
        return null;
    }
}
