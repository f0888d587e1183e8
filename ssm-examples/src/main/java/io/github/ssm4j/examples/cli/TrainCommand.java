package io.github.ssm4j.examples.cli;

import io.github.ssm4j.examples.data.Datasets;
import io.github.ssm4j.examples.data.LabeledData;
import io.github.ssm4j.examples.data.LoadOptions;
import io.github.ssm4j.examples.data.Split;
import io.github.ssm4j.examples.demo.ImageRun;
import io.github.ssm4j.examples.demo.ToyRun;
import io.github.ssm4j.examples.recipes.Recipe;
import io.github.ssm4j.examples.recipes.Recipes;
import io.github.ssm4j.objective.DenoisingScoreMatching;
import io.github.ssm4j.objective.MaximumLikelihood;
import io.github.ssm4j.objective.NoiseLadder;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ssm train}: trains a zoo recipe by score matching. With no options it is the README's default run:
 * the {@code mlp-energy-2d} energy model on the 2-D Gaussian mixture by SSM-VR, then Langevin samples, the
 * Fisher divergence to the true score, and pictures.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a zoo model by score matching; on a 2-D toy also sample it and draw pictures.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "NAME", defaultValue = "mlp-energy-2d",
            description = "zoo recipe (see 'ssm zoo'; default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--dataset", paramLabel = "NAME",
            description = "dataset (default: the recipe's); 2-D toys: gaussian-mixture, rings, two-moons, checkerboard")
    String dataset;

    @Mixin
    ObjectiveOptions objective;

    @Option(names = "--steps", description = "training steps (default: 1000 unless --epochs is given)")
    Integer steps;

    @Option(names = "--epochs", description = "passes over the training set, instead of --steps")
    Integer epochs;

    @Option(names = "--batch-size", defaultValue = "256", description = "examples per step (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.003", description = "Adam learning rate (default: ${DEFAULT-VALUE})")
    double learningRate;

    @Option(names = "--seed", defaultValue = "42", description = "seed of data, weights and projections (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--samples", defaultValue = "8192", description = "training samples drawn from a toy (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--output", paramLabel = "DIR", defaultValue = "runs/default",
            description = "where checkpoints, the run summary and pictures go (default: ${DEFAULT-VALUE})")
    Path output;

    @Option(names = "--threads", defaultValue = "0",
            description = "ND4J threads (0: leave ND4J's default; on 2 sibling cores 1 is often fastest)")
    int threads;

    @Option(names = "--sigmas", paramLabel = "LARGEST,SMALLEST,LEVELS",
            description = "noise-conditional recipes (ncsn-lite, unet-score): the geometric σ ladder to train and sample "
                    + "over, e.g. 1,0.01,10 (default: the recipe's)")
    String sigmas;

    @Option(names = "--held-out", paramLabel = "N", defaultValue = "0",
            description = "image datasets: test images the held-out objective is averaged over (default: all)")
    int heldOut;

    @Option(names = "--langevin-steps", paramLabel = "N", defaultValue = "0",
            description = "image datasets: Langevin steps of the closing samples, per noise level when annealing "
                    + "(default: 100 per level, or 1000)")
    int langevinSteps;

    @Override
    public Integer call() {
        if (steps != null && epochs != null) {
            throw new IllegalArgumentException("give --steps or --epochs, not both");
        }
        if ((steps != null && steps < 1) || (epochs != null && epochs < 1) || batchSize < 1 || samples < batchSize
                || !(learningRate > 0) || threads < 0 || heldOut < 0 || langevinSteps < 0) {
            throw new IllegalArgumentException("need --steps ≥ 1 or --epochs ≥ 1, --batch-size ≥ 1, "
                    + "--samples ≥ --batch-size, --lr > 0, --threads ≥ 0, --held-out ≥ 0 and --langevin-steps ≥ 0");
        }
        if (threads > 0) {
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
            org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(threads);
        }
        Recipe recipe = Recipes.get(model);
        ScoreMatchingObjective chosen = objective.resolve(recipe.defaultObjective());
        if (chosen instanceof MaximumLikelihood && !recipe.normalised()) {
            throw new IllegalArgumentException("--objective mle needs a normalised model, E = −log p (a flow such as "
                    + "nice); " + recipe.name() + " has an unknown normalising constant, so maximum likelihood would "
                    + "lower its energy without bound");
        }
        double[] ladder = null;
        if (recipe.noiseLevelInput() != null) {
            ladder = sigmas == null ? recipe.samplingSigmas() : SampleCommand.parseSigmas(sigmas);
            if (chosen instanceof DenoisingScoreMatching d && d.conditional()) {
                chosen = DenoisingScoreMatching.noiseConditional(ladder);
            } else if (!(chosen instanceof DenoisingScoreMatching)) {
                // a noise-conditional model s(x, σ) trains by the sliced or exact objectives over its σ ladder
                chosen = NoiseLadder.of(chosen, ladder);
            }
        } else if (sigmas != null) {
            throw new IllegalArgumentException("--sigmas is for noise-conditional recipes (ncsn-lite, unet-score); "
                    + recipe.name() + " takes no σ input");
        }
        String data = dataset == null ? recipe.defaultDataset() : dataset;
        if (!Datasets.toyNames().contains(data)) {
            io.github.ssm4j.examples.data.Dataset set = Datasets.get(data);
            LoadOptions options = LoadOptions.defaults().withSeed(seed).withDataType(org.nd4j.linalg.api.buffer.DataType.FLOAT);
            LabeledData train = set.load(Split.TRAIN, options);
            new ImageRun(new ImageRun.Config(recipe, train, set.load(Split.TEST, options),
                    chosen, totalSteps(train.size()), batchSize, learningRate,
                    seed, output, heldOut, langevinSteps, ladder), System.out).run();
            return 0;
        }
        ToyRun.Config config = new ToyRun.Config(recipe, Datasets.toy(data), chosen,
                totalSteps(samples), batchSize, learningRate, seed, samples, output);
        new ToyRun(config, System.out).run();
        return 0;
    }

    /** The step budget: --steps, or --epochs whole passes over {@code trainingExamples}. */
    private int totalSteps(long trainingExamples) {
        if (epochs == null) {
            return steps == null ? 1000 : steps;
        }
        long perEpoch = (trainingExamples + batchSize - 1) / batchSize;
        return Math.toIntExact(epochs * perEpoch);
    }
}
