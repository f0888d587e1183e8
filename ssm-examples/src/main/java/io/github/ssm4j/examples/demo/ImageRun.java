package io.github.ssm4j.examples.demo;

import io.github.ssm4j.examples.io.AtomicFiles;
import io.github.ssm4j.dl4j.ScoreMatchingTrainer;
import io.github.ssm4j.examples.data.ArrayDataSetIterator;
import io.github.ssm4j.examples.data.LabeledData;
import io.github.ssm4j.examples.plot.ImageGrid;
import io.github.ssm4j.examples.plot.Plots;
import io.github.ssm4j.examples.recipes.DataTransform;
import io.github.ssm4j.examples.recipes.Recipe;
import io.github.ssm4j.model.ScoreFunction;
import io.github.ssm4j.objective.ObjectiveEvaluation;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import io.github.ssm4j.sampling.Langevin;
import io.github.ssm4j.sampling.ScoreOracle;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Trains a recipe on a dataset of flat square greyscale images (digits 8×8, MNIST 28×28, Fashion-MNIST) and
 * samples it: annealed Langevin dynamics over the recipe's noise levels for noise-conditional recipes,
 * plain Langevin otherwise. Writes the objective on held-out data, a grid of samples next to a grid of
 * data, the loss curve, a checkpoint and a run summary.
 */
public final class ImageRun {
    /**
     * What to run.
     *
     * @param heldOutExamples how many test images the held-out objective is averaged over (0: all of them)
     * @param langevinSteps Langevin steps per noise level when annealing, in all otherwise (0: 100 per level
     *                      when annealing, 1000 otherwise)
     * @param sigmas the σ ladder of a noise-conditional recipe, for annealed sampling (null: the recipe's)
     */
    public record Config(Recipe recipe, LabeledData train, LabeledData test, ScoreMatchingObjective objective,
                         int steps, int batchSize, double learningRate, long seed, Path outputDirectory,
                         int heldOutExamples, int langevinSteps, double[] sigmas) {
        public Config {
            if (heldOutExamples < 0 || langevinSteps < 0) {
                throw new IllegalArgumentException("held-out examples and Langevin steps must be ≥ 0 (0: the "
                        + "default), got " + heldOutExamples + " and " + langevinSteps);
            }
        }
    }

    /** What came out. */
    public record Result(double heldOutLoss, int steps, List<Path> pictures, Path checkpoint, Path summary) {
    }

    private static final int SHOWN = 64;
    private final Config c;
    private final PrintStream out;

    public ImageRun(Config config, PrintStream out) {
        this.c = config;
        this.out = out;
    }

    public Result run() {
        DataTransform transform = c.recipe().dataTransform(c.train().name());
        INDArray pixels = flat(c.train().features());
        INDArray x = transform.apply(pixels, c.seed());
        long[] shape = {x.size(1)};
        int perEpoch = (int) ((x.size(0) + c.batchSize() - 1) / c.batchSize());
        ArrayDataSetIterator batches = new ArrayDataSetIterator(x, x, List.of(), c.batchSize(), c.seed());
        Model net = c.recipe().build(shape, new Adam(c.learningRate()), c.seed());
        LossHistory history = new LossHistory();
        Path checkpoints = c.outputDirectory().resolve("checkpoints");
        out.printf("Training %s on %s (%d × %d) by %s: %d steps of %d examples%n", c.recipe().name(),
                c.train().name(), x.size(0), x.size(1), c.objective().name(), c.steps(), c.batchSize());
        ScoreMatchingTrainer trainer;
        try (ProgressBar bar = LossHistory.progressBar(out, c.steps())) {
            ScoreMatchingTrainer.Builder b = ScoreMatchingTrainer.builder(net).objective(c.objective())
                    .energyHead(c.recipe().energyHead()).seed(c.seed())
                    .checkpoints(checkpoints, perEpoch, 1)
                    .listeners(history, (step, epoch, e, n) -> {
                        bar.stepTo(step);
                        bar.setExtraMessage(history.message());
                    });
            if (c.recipe().noiseLevelInput() != null) {
                b.noiseLevelInput(c.recipe().noiseLevelInput());
            }
            if (c.recipe().inputTypes(shape) != null) {
                b.inputTypes(c.recipe().inputTypes(shape));
            }
            trainer = b.build();
            trainer.fitToStep(batches, c.steps());
        }
        INDArray testPixels = flat(c.test().features());
        if (c.heldOutExamples() > 0 && c.heldOutExamples() < testPixels.size(0)) {
            testPixels = testPixels.get(NDArrayIndex.interval(0, c.heldOutExamples()), NDArrayIndex.all());
        }
        INDArray test = transform.apply(testPixels, testNoiseSeed(c.seed()));
        ObjectiveEvaluation held = trainer.evaluate(new ArrayDataSetIterator(test, test, List.of(), c.batchSize(), null));
        out.printf("Held-out %s loss %.5g %s%n", c.objective().name(), held.loss(), held.terms());
        LogLikelihood likelihood = null;
        if (c.recipe().normalised()) {
            likelihood = LogLikelihood.of(trainer.scoreFunction(), test, transform, c.batchSize());
            out.println("Exact " + likelihood.describe());
        }
        Path samples = drawSamples(trainer.scoreFunction(), net, pixels, transform);
        Path loss = history.draw(c.outputDirectory().resolve("loss.png"), c.objective().name());
        Path summary = writeSummary(held, test.size(0), history.steps(), likelihood, transform);
        Path checkpoint = ScoreMatchingTrainer.latestCheckpoint(checkpoints);
        out.println("Pictures: " + samples + ", " + loss + "; checkpoint: " + checkpoint + "; summary: " + summary);
        return new Result(held.loss(), history.steps(), List.of(samples, loss), checkpoint, summary);
    }

    /** Images as rows of pixels, [N, H·W], float32. */
    private static INDArray flat(INDArray features) {
        return features.reshape(features.size(0), -1).castTo(DataType.FLOAT);
    }

    /** The seed of the test split's dequantisation noise (or other randomness of the data transform). */
    public static long testNoiseSeed(long seed) {
        return ~seed;
    }

    private Path drawSamples(ScoreFunction model, Model net, INDArray data, DataTransform transform) {
        int d = (int) data.size(1);
        int side = (int) Math.round(Math.sqrt(d));
        Nd4j.getRandom().setSeed(c.seed());
        double[] sigmas = c.sigmas() != null ? c.sigmas() : c.recipe().samplingSigmas();
        Langevin langevin = new Langevin(ScoreOracle.of(model), c.seed());
        INDArray samples = c.recipe().exactSamples(net, SHOWN, c.seed());
        String how = "samples from the learned score";
        if (samples != null) {
            out.printf("Sampling %d images exactly (the flow inverted)…%n", SHOWN);
            samples = transform.invert(samples);
            how = "exact samples from the flow";
        } else {
            // chains start from uniform pixels, carried into the space the model was trained in, and come back
            INDArray start = transform.apply(Nd4j.rand(DataType.FLOAT, SHOWN, d), c.seed()).castTo(DataType.FLOAT);
            if (sigmas != null) {
                out.printf("Sampling %d images by annealed Langevin over %d noise levels, %d steps per level…%n",
                        SHOWN, sigmas.length, stepsOr(100));
                samples = transform.invert(langevin.annealed(start, sigmas, 2e-5, stepsOr(100)));
            } else {
                out.printf("Sampling %d images by %d steps of Langevin dynamics…%n", SHOWN, stepsOr(1000));
                samples = transform.invert(langevin.sample(start, 1e-4, stepsOr(1000)));
            }
        }
        double[][] shown = data.get(NDArrayIndex.interval(0, Math.min(SHOWN, data.size(0))), NDArrayIndex.all())
                .castTo(DataType.DOUBLE).toDoubleMatrix();
        int zoom = Math.max(1, 64 / side);
        return Plots.writeLabelledPair(c.outputDirectory().resolve("samples.png"),
                "data (" + c.train().name() + ")", ImageGrid.render(shown, 1, side, side, 0, 1, zoom),
                how, ImageGrid.render(samples.castTo(DataType.DOUBLE).toDoubleMatrix(),
                        1, side, side, 0, 1, zoom));
    }

    private int stepsOr(int byDefault) {
        return c.langevinSteps() > 0 ? c.langevinSteps() : byDefault;
    }

    private Path writeSummary(ObjectiveEvaluation held, long heldOutExamples, int steps, LogLikelihood likelihood, DataTransform transform) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", c.recipe().name());
        s.put("dataset", c.train().name());
        s.put("objective", c.objective());
        s.put("objectiveName", c.objective().name());
        s.put("steps", steps);
        s.put("batchSize", c.batchSize());
        s.put("learningRate", c.learningRate());
        s.put("seed", c.seed());
        s.put("heldOutExamples", heldOutExamples);
        s.put("heldOutLoss", held.loss());
        s.put("heldOutTerms", held.terms());
        if (likelihood != null) {
            s.put("testLogLikelihood", likelihood.toMap(transform));
        }
        return AtomicFiles.writeJson(c.outputDirectory().resolve("run-summary.json"), s);
    }
}
