package io.github.ssm4j.examples.cli;

import io.github.ssm4j.examples.io.AtomicFiles;
import io.github.ssm4j.dl4j.ScoreMatchingTrainer;
import io.github.ssm4j.examples.data.Datasets;
import io.github.ssm4j.examples.data.LabeledData;
import io.github.ssm4j.examples.data.LoadOptions;
import io.github.ssm4j.examples.data.Split;
import io.github.ssm4j.examples.data.ToyDistribution;
import io.github.ssm4j.examples.demo.ImageRun;
import io.github.ssm4j.examples.demo.LogLikelihood;
import io.github.ssm4j.examples.demo.ToyRun;
import io.github.ssm4j.examples.recipes.DataTransform;
import io.github.ssm4j.examples.recipes.Recipe;
import io.github.ssm4j.model.ScoreFunction;
import io.github.ssm4j.objective.ObjectiveEvaluation;
import io.github.ssm4j.sampling.ScoreOracle;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ssm eval}: the checkpoint's objective (mean loss and terms) on held-out data and, for 2-D toys whose
 * score is known, the Fisher divergence ½E‖s_θ − ∇log p‖². Deterministic: the same checkpoint, dataset,
 * sample count and seed give the same numbers.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a checkpoint on held-out data: the objective's mean loss and terms and, for toys, "
                + "the Fisher divergence to the true score; for normalised models (nice) the exact log-likelihood.",
            "Toys: --samples fresh points from the TEST stream of --seed (never the training points); other "
                + "datasets: their TEST split. Writes eval-summary.json into --output."})
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", paramLabel = "FILE|DIR", required = true,
            description = "checkpoint zip, or a directory: its newest checkpoint-step-*.zip (also looks in DIR/checkpoints)")
    Path checkpoint;

    @Option(names = "--dataset", paramLabel = "NAME",
            description = "dataset (default: the one run-summary.json next to the checkpoint names)")
    String dataset;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "4000",
            description = "toys: fresh samples; others: at most N test examples (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--seed", paramLabel = "S",
            description = "seed of the held-out toy samples (default: the training seed, whose TEST stream differs "
                    + "from the training stream)")
    Long seed;

    @Option(names = "--batch-size", defaultValue = "256", description = "examples per evaluation batch (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--output", paramLabel = "DIR",
            description = "where eval-summary.json goes (default: the run directory next to the checkpoints)")
    Path output;

    @Override
    public Integer call() {
        if (samples < 1 || batchSize < 1) {
            throw new IllegalArgumentException("need --samples ≥ 1 and --batch-size ≥ 1");
        }
        LoadedCheckpoint run = LoadedCheckpoint.load(checkpoint);
        String name = dataset != null ? dataset : run.summaryDataset();
        if (name == null) {
            throw new IllegalArgumentException("no --dataset given and no run-summary.json next to " + run.file()
                    + " names one; datasets: " + String.join(", ", Datasets.names()));
        }
        boolean isToy = Datasets.toyNames().contains(name);
        long s = seed != null ? seed : run.trainingSeed();
        ScoreMatchingTrainer trainer = run.trainer();
        ScoreFunction model = trainer.scoreFunction();
        LabeledData held = Datasets.load(name, Split.TEST,
                LoadOptions.defaults().withToySamples(samples).withSeed(s).withDataType(model.dataType()));
        if (!isToy && held.size() > samples) {
            held = held.rows(0, samples);
        }
        Recipe recipe = run.recipe();
        DataTransform transform = recipe == null || isToy ? DataTransform.IDENTITY : recipe.dataTransform(name);
        INDArray features = held.features().reshape(held.size(), -1).castTo(model.dataType());
        INDArray x = shaped(transform.apply(features, ImageRun.testNoiseSeed(s)), model.inputShape(), name);
        ObjectiveEvaluation e = trainer.evaluate(new ListDataSetIterator<>(new DataSet(x, x).batchBy(batchSize)));
        Double fisher = null;
        String fisherNote = null;
        if (!isToy) {
            fisherNote = "the true score of " + name + " is unknown";
        } else if (model.isConditional()) {
            fisherNote = "noise-conditional model: no single true score to compare with";
        } else {
            ToyDistribution toy = Datasets.toy(name);
            fisher = ToyRun.fisherDivergence(ScoreOracle.of(model), (p, sigma) -> trueScore(toy, p), x);
        }
        LogLikelihood likelihood = recipe != null && recipe.normalised()
                ? LogLikelihood.of(model, x, transform, batchSize) : null;
        Map<String, Double> terms = new TreeMap<>(e.terms());
        System.out.printf("Checkpoint %s on %s (%s, %d examples, seed %d)%n", run.file(), name,
                isToy ? "fresh samples" : "TEST split", x.size(0), s);
        System.out.printf("  %s loss: %.6g%n", trainer.state().objective().name(), e.loss());
        terms.forEach((k, v) -> System.out.printf("  %s: %.6g%n", k, v));
        if (fisher != null) {
            System.out.printf("  Fisher divergence ½E‖s_θ − ∇log p‖²: %.6g%n", fisher);
        }
        if (likelihood != null) {
            System.out.println("  exact " + likelihood.describe());
            System.out.println("  (data: " + transform.description() + ")");
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("checkpoint", run.file().toAbsolutePath().toString());
        summary.put("dataset", name);
        summary.put("split", isToy ? "fresh samples (TEST stream)" : "TEST");
        summary.put("examples", x.size(0));
        summary.put("seed", s);
        summary.put("objective", trainer.state().objective().name());
        summary.put("loss", e.loss());
        summary.put("terms", terms);
        summary.put("fisherDivergence", fisher);
        if (likelihood != null) {
            summary.put("testLogLikelihood", likelihood.toMap(transform));
        }
        if (fisherNote != null) {
            summary.put("fisherDivergenceNote", fisherNote);
        }
        Path out = (output != null ? output : run.runDirectory()).resolve("eval-summary.json");
        AtomicFiles.writeJson(out, summary);
        System.out.println("Summary: " + out);
        return 0;
    }

    private static INDArray shaped(INDArray flat, long[] inputShape, String name) {
        long[] example = Arrays.copyOfRange(inputShape, 1, inputShape.length);
        long d = Arrays.stream(example).reduce(1, (a, b) -> a * b);
        if (Arrays.stream(example).anyMatch(v -> v < 1) || d != flat.size(1)) {
            throw new IllegalArgumentException("the model takes examples of shape " + Arrays.toString(example)
                    + " but " + name + " has " + flat.size(1) + " values per example");
        }
        long[] shape = new long[inputShape.length];
        shape[0] = flat.size(0);
        System.arraycopy(example, 0, shape, 1, example.length);
        return flat.reshape(shape);
    }

    private static INDArray trueScore(ToyDistribution toy, INDArray x) {
        double[][] rows = x.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] s = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            s[i] = toy.score(rows[i]);
        }
        return Nd4j.createFromArray(s).castTo(x.dataType());
    }
}
