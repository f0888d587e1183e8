package io.github.ssm4j.examples.demo;

import io.github.ssm4j.examples.io.AtomicFiles;
import io.github.ssm4j.dl4j.ScoreMatchingTrainer;
import io.github.ssm4j.examples.data.ArrayDataSetIterator;
import io.github.ssm4j.examples.data.ToyDistribution;
import io.github.ssm4j.examples.plot.Plots;
import io.github.ssm4j.examples.recipes.Recipe;
import io.github.ssm4j.model.ScoreFunction;
import io.github.ssm4j.objective.ScoreMatchingObjective;
import io.github.ssm4j.sampling.Langevin;
import io.github.ssm4j.sampling.ScoreOracle;
import java.awt.Color;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Trains a recipe on a 2-D toy distribution and shows what it learned: data next to Langevin samples, the
 * learned score field next to the true one, the learned log-density (energy models) next to the true one,
 * the loss curve, and the Fisher divergence ½E‖s_θ − ∇log p‖² to the true score on fresh samples.
 */
public final class ToyRun {
    /** What to run. */
    public record Config(Recipe recipe, ToyDistribution toy, ScoreMatchingObjective objective, int steps,
                         int batchSize, double learningRate, long seed, int trainSamples, Path outputDirectory) {
    }

    /** What came out. */
    public record Result(double fisherDivergence, double finalLoss, List<Path> pictures, Path checkpoint,
                         Path summary) {
    }

    private static final int GRID = 25;
    private static final int CHAINS = 1500;

    private final Config c;
    private final PrintStream out;

    public ToyRun(Config config, PrintStream out) {
        this.c = config;
        this.out = out;
    }

    public Result run() {
        INDArray data = c.toy().sample(c.trainSamples(), c.seed(), DataType.FLOAT);
        ArrayDataSetIterator batches = new ArrayDataSetIterator(data, data, List.of(), c.batchSize(), c.seed());
        int perEpoch = (c.trainSamples() + c.batchSize() - 1) / c.batchSize();
        Model net = c.recipe().build(new long[] {c.toy().dimension()}, new Adam(c.learningRate()), c.seed());
        Path checkpoints = c.outputDirectory().resolve("checkpoints");
        LossHistory history = new LossHistory();
        out.printf("Training %s on %s by %s: %d steps of %d examples (%.3g epochs of %d samples)%n",
                c.recipe().name(), c.toy().name(), c.objective().name(), c.steps(), c.batchSize(),
                (double) c.steps() / perEpoch, c.trainSamples());
        ScoreMatchingTrainer trainer;
        try (ProgressBar bar = LossHistory.progressBar(out, c.steps())) {
            trainer = ScoreMatchingTrainer.builder(net).objective(c.objective()).energyHead(c.recipe().energyHead())
                    .seed(c.seed()).checkpoints(checkpoints, perEpoch, 1)
                    .listeners(history, (step, epoch, e, n) -> {
                        bar.stepTo(step);
                        bar.setExtraMessage(history.message());
                    }).build();
            trainer.fitToStep(batches, c.steps());
        }
        ScoreFunction model = trainer.scoreFunction();
        ScoreOracle learned = ScoreOracle.of(model);
        ScoreOracle truth = (x, sigma) -> score(c.toy(), x);
        INDArray held = c.toy().sample(4000, c.seed() + 1, DataType.FLOAT);
        double fisher = fisherDivergence(learned, truth, held);
        Plots.Range2D range = Plots.Range2D.around(data.castTo(DataType.DOUBLE).toDoubleMatrix());
        List<Path> pictures = new ArrayList<>();
        pictures.add(drawSamples(learned, data, range));
        pictures.add(drawScoreFields(learned, range));
        if (model.kind() == ScoreFunction.Kind.ENERGY) {
            pictures.add(drawDensities(model, range));
        }
        pictures.add(history.draw(c.outputDirectory().resolve("loss.png"), c.objective().name()));
        Path summary = writeSummary(fisher, history, pictures);
        Path checkpoint = ScoreMatchingTrainer.latestCheckpoint(checkpoints);
        out.printf("Fisher divergence ½E‖s_θ − ∇log p‖² on 4000 fresh samples: %.4g%n", fisher);
        out.println("Pictures: " + pictures.stream().map(Path::toString).reduce((a, b) -> a + ", " + b).orElse(""));
        out.println("Checkpoint: " + checkpoint + "; summary: " + summary);
        return new Result(fisher, history.lastLoss(), pictures, checkpoint, summary);
    }

    /** ½ mean over rows of ‖learned − truth‖². */
    public static double fisherDivergence(ScoreOracle learned, ScoreOracle truth, INDArray x) {
        INDArray diff = learned.score(x, Double.NaN).castTo(DataType.DOUBLE)
                .sub(truth.score(x, Double.NaN).castTo(DataType.DOUBLE));
        return 0.5 * diff.mul(diff).sumNumber().doubleValue() / x.size(0);
    }

    private static INDArray score(ToyDistribution toy, INDArray x) {
        double[][] rows = x.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] s = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            s[i] = toy.score(rows[i]);
        }
        return Nd4j.createFromArray(s).castTo(x.dataType());
    }

    private Path drawSamples(ScoreOracle learned, INDArray data, Plots.Range2D range) {
        double[] lo = {range.xMin(), range.yMin()};
        double[] hi = {range.xMax(), range.yMax()};
        INDArray start = Nd4j.rand(DataType.FLOAT, CHAINS, 2);
        for (int j = 0; j < 2; j++) {
            start.getColumn(j).muli(hi[j] - lo[j]).addi(lo[j]);
        }
        double scale = Math.min(hi[0] - lo[0], hi[1] - lo[1]);
        double stepSize = 1e-4 * scale * scale;
        out.printf("Sampling %d Langevin chains, 2000 steps of size %.3g…%n", CHAINS, stepSize);
        INDArray samples = new Langevin(learned, c.seed()).sample(start, stepSize, 2000);
        double[][] shown = data.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, Math.min(CHAINS,
                data.size(0))), org.nd4j.linalg.indexing.NDArrayIndex.all()).castTo(DataType.DOUBLE).toDoubleMatrix();
        return Plots.writeSideBySide(c.outputDirectory().resolve("samples.png"),
                Plots.scatter("data (" + c.toy().name() + ")", shown, Color.BLACK, range),
                Plots.scatter("Langevin samples from the learned score", samples.castTo(DataType.DOUBLE).toDoubleMatrix(),
                        new Color(200, 40, 40), range));
    }

    private Path drawScoreFields(ScoreOracle learned, Plots.Range2D range) {
        double[][] grid = new double[GRID * GRID][];
        double[] xs = axis(range.xMin(), range.xMax());
        double[] ys = axis(range.yMin(), range.yMax());
        for (int i = 0; i < GRID; i++) {
            for (int j = 0; j < GRID; j++) {
                grid[i * GRID + j] = new double[] {xs[i], ys[j]};
            }
        }
        INDArray points = Nd4j.createFromArray(grid).castTo(DataType.FLOAT);
        double[][] mine = learned.score(points, Double.NaN).castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] true_ = new double[grid.length][];
        for (int k = 0; k < grid.length; k++) {
            true_[k] = c.toy().score(grid[k]);
        }
        double cell = Math.min(xs[1] - xs[0], ys[1] - ys[0]);
        return Plots.writeSideBySide(c.outputDirectory().resolve("score-field.png"),
                Plots.quiver("learned score s_θ(x) (length ∝ |s|^⅓)", grid, mine, cell, range),
                Plots.quiver("true score ∇log p(x) (length ∝ |s|^⅓)", grid, true_, cell, range));
    }

    private Path drawDensities(ScoreFunction model, Plots.Range2D range) {
        int n = 60;
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = range.xMin() + (range.xMax() - range.xMin()) * i / (n - 1);
            ys[i] = range.yMin() + (range.yMax() - range.yMin()) * i / (n - 1);
        }
        double[][] pts = new double[n * n][];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                pts[i * n + j] = new double[] {xs[i], ys[j]};
            }
        }
        String e = model.energy().name();
        INDArray energy = model.sameDiff().output(Map.of(model.input().name(),
                Nd4j.createFromArray(pts).castTo(model.dataType())), e).get(e).castTo(DataType.DOUBLE).reshape(-1);
        double[][] learned = new double[n][n];
        double[][] truth = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                learned[i][j] = -energy.getDouble(i * n + j);
                truth[i][j] = c.toy().logDensity(pts[i * n + j]);
            }
        }
        // −E is log p up to a constant: shift it to the true log-density's maximum so the colours compare
        double shift = max(truth) - max(learned);
        for (double[] row : learned) {
            for (int j = 0; j < n; j++) {
                row[j] += shift;
            }
        }
        return Plots.writeSideBySide(c.outputDirectory().resolve("density.png"),
                Plots.heatmap("learned log-density −E_θ(x) + const", xs, ys, clip(learned, max(truth) - 12), "log p"),
                Plots.heatmap("true log-density log p(x)", xs, ys, clip(truth, max(truth) - 12), "log p"));
    }

    private static double[][] clip(double[][] v, double floor) {
        double[][] r = new double[v.length][];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i].clone();
            for (int j = 0; j < r[i].length; j++) {
                r[i][j] = Math.max(floor, r[i][j]);
            }
        }
        return r;
    }

    private static double max(double[][] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double[] row : v) {
            for (double x : row) {
                m = Math.max(m, x);
            }
        }
        return m;
    }

    private static double[] axis(double lo, double hi) {
        double[] a = new double[GRID];
        for (int i = 0; i < GRID; i++) {
            a[i] = lo + (hi - lo) * i / (GRID - 1);
        }
        return a;
    }


    private Path writeSummary(double fisher, LossHistory history, List<Path> pictures) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", c.recipe().name());
        s.put("dataset", c.toy().name());
        s.put("objective", c.objective());
        s.put("objectiveName", c.objective().name());
        s.put("steps", history.steps());
        s.put("batchSize", c.batchSize());
        s.put("learningRate", c.learningRate());
        s.put("seed", c.seed());
        s.put("trainSamples", c.trainSamples());
        s.put("finalLoss", history.lastLoss());
        s.put("fisherDivergence", fisher);
        s.put("pictures", pictures.stream().map(p -> p.getFileName().toString()).toList());
        return AtomicFiles.writeJson(c.outputDirectory().resolve("run-summary.json"), s);
    }
}
