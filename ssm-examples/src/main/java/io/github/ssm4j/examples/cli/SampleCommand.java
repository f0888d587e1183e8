package io.github.ssm4j.examples.cli;

import io.github.ssm4j.examples.io.AtomicFiles;
import io.github.ssm4j.examples.recipes.DataTransform;
import io.github.ssm4j.examples.recipes.Recipe;
import io.github.ssm4j.examples.data.Datasets;
import io.github.ssm4j.examples.data.ToyDistribution;
import io.github.ssm4j.examples.plot.ImageGrid;
import io.github.ssm4j.examples.plot.Plots;
import io.github.ssm4j.model.ScoreFunction;
import io.github.ssm4j.sampling.Langevin;
import io.github.ssm4j.sampling.ScoreOracle;
import java.awt.Color;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ssm sample}: draws samples from a trained checkpoint by Langevin dynamics (or annealed Langevin for
 * noise-conditional models) and writes them as a picture and a data file.
 */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = {"Draw samples from a checkpoint by (annealed) Langevin dynamics, or exactly from a flow (nice).",
            "Writes DIR/samples.png and DIR/samples.csv: one row per chain, one column per coordinate "
                + "(x,y for 2-D models; for images the pixels in [C,H,W] row-major order, header p0,p1,…).",
            "2-D chains start uniformly over the data range (from the toy named in run-summary.json next to "
                + "the checkpoint), other models from N(0, I)."})
final class SampleCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", paramLabel = "FILE|DIR", required = true,
            description = "checkpoint zip, or a directory: its newest checkpoint-step-*.zip (also looks in DIR/checkpoints)")
    Path checkpoint;

    @Option(names = "--method", paramLabel = "langevin|annealed|exact",
            description = "langevin; annealed for noise-conditional models; exact for flows (nice), by inverting the "
                    + "flow (default: exact where the model has it, else langevin)")
    String method;

    @Option(names = "--steps", defaultValue = "1000",
            description = "Langevin steps (annealed: per noise level) (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--step-size", paramLabel = "α",
            description = "step size α (annealed: ε, with α_i = ε·σ_i²/σ_L²); default: 1e-4·(data range)² for 2-D "
                    + "toys, else 1e-4 (annealed: 2e-5)")
    Double stepSize;

    @Option(names = "--sigmas", paramLabel = "LARGEST,SMALLEST,LEVELS",
            description = "geometric noise schedule for noise-conditional models, e.g. 1,0.01,10 (langevin uses the smallest)")
    String sigmas;

    @Option(names = "--chains", defaultValue = "1000", description = "number of chains = samples (default: ${DEFAULT-VALUE})")
    int chains;

    @Option(names = "--seed", defaultValue = "0", description = "seed of start points and noise (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--output", paramLabel = "DIR",
            description = "where samples.png and samples.csv go (default: RUN/samples next to the checkpoints)")
    Path output;

    @Override
    public Integer call() {
        if (steps < 1 || chains < 1 || (stepSize != null && !(stepSize > 0 && Double.isFinite(stepSize)))) {
            throw new IllegalArgumentException("need --steps ≥ 1, --chains ≥ 1 and --step-size > 0");
        }
        String chosen = method == null ? null : method.toLowerCase(Locale.ROOT);
        if (chosen != null && !List.of("langevin", "annealed", "exact").contains(chosen)) {
            throw new IllegalArgumentException("unknown --method '" + method + "'; accepted: langevin, annealed, exact");
        }
        double[] schedule = sigmas == null ? null : parseSigmas(sigmas);
        LoadedCheckpoint run = LoadedCheckpoint.load(checkpoint);
        Recipe recipe = run.recipe();
        // a recipe without an exact sampler answers null; asking for one sample is cheap for those that have one
        boolean exactAvailable = recipe != null && recipe.exactSamples(run.network(), 1, seed) != null;
        if (chosen == null) {
            chosen = exactAvailable ? "exact" : "langevin";
        }
        if (chosen.equals("exact")) {
            if (!exactAvailable) {
                throw new IllegalArgumentException("--method exact needs a model with an exact sampler (a flow such as "
                        + "nice); the model in " + run.file() + " has none (use --method langevin)");
            }
            return writeExact(run, recipe);
        }
        boolean annealed = chosen.equals("annealed");
        ScoreFunction model = run.trainer().scoreFunction();
        if (model.isConditional() && schedule == null) {
            throw new IllegalArgumentException("the model in " + run.file() + " is noise-conditional: give its noise "
                    + "levels with --sigmas LARGEST,SMALLEST,LEVELS");
        }
        if (annealed && !model.isConditional()) {
            throw new IllegalArgumentException("--method annealed needs a noise-conditional model; the model in "
                    + run.file() + " is not (use --method langevin)");
        }
        long[] shape = model.inputShape();
        long[] example = java.util.Arrays.copyOfRange(shape, 1, shape.length);
        for (long s : example) {
            if (s < 1) {
                throw new IllegalArgumentException("the model's input shape " + java.util.Arrays.toString(shape)
                        + " has an unknown size besides the batch");
            }
        }
        boolean twoD = example.length == 1 && example[0] == 2;
        ToyDistribution toy = twoD ? toyOf(run.summaryDataset()) : null;
        Path out = output != null ? output : run.runDirectory().resolve("samples");

        SplittableRandom rng = new SplittableRandom(seed);
        long[] startShape = new long[shape.length];
        startShape[0] = chains;
        System.arraycopy(example, 0, startShape, 1, example.length);
        int d = Math.toIntExact(java.util.Arrays.stream(example).reduce(1, (a, b) -> a * b));
        double[] init = new double[chains * d];
        double[][] data = null;
        Plots.Range2D range = null;
        if (toy != null) {
            data = toy.sample(2000, run.trainingSeed(), DataType.DOUBLE).toDoubleMatrix();
            range = Plots.Range2D.around(data);
            for (int i = 0; i < chains; i++) {
                init[2 * i] = range.xMin() + rng.nextDouble() * (range.xMax() - range.xMin());
                init[2 * i + 1] = range.yMin() + rng.nextDouble() * (range.yMax() - range.yMin());
            }
        } else {
            for (int i = 0; i < init.length; i++) {
                init[i] = rng.nextGaussian();
            }
        }
        INDArray start = Nd4j.create(init, startShape).castTo(model.dataType());
        double alpha = stepSize != null ? stepSize : annealed ? 2e-5 : range != null
                ? 1e-4 * Math.pow(Math.min(range.xMax() - range.xMin(), range.yMax() - range.yMin()), 2) : 1e-4;
        ScoreOracle oracle = ScoreOracle.of(model);
        Langevin sampler = new Langevin(oracle, seed ^ 0x5DEECE66DL);
        INDArray samples;
        if (annealed) {
            System.out.printf("Sampling %d chains by annealed Langevin: %d noise levels σ %.3g … %.3g, %d steps each, ε = %.3g%n",
                    chains, schedule.length, schedule[0], schedule[schedule.length - 1], steps, alpha);
            samples = sampler.annealed(start, schedule, alpha, steps);
        } else {
            System.out.printf("Sampling %d Langevin chains: %d steps of size %.3g%n", chains, steps, alpha);
            ScoreOracle fixed = schedule == null ? oracle : conditionedAt(oracle, schedule[schedule.length - 1]);
            samples = new Langevin(fixed, seed ^ 0x5DEECE66DL).sample(start, alpha, steps);
        }
        // back to the data's space (pixels in [0, 1]) for recipes trained on transformed data (logit dequantisation)
        DataTransform transform = twoD ? DataTransform.IDENTITY : dataTransform(run, recipe);
        double[][] rows = transform.invert(samples.castTo(DataType.DOUBLE).reshape(chains, d)).castTo(DataType.DOUBLE)
                .toDoubleMatrix();
        List<Path> written = new ArrayList<>();
        written.add(writeCsv(out.resolve("samples.csv"), rows, twoD));
        Path png = out.resolve("samples.png");
        if (twoD) {
            Plots.Range2D shown = range != null ? range : Plots.Range2D.around(rows);
            Color red = new Color(200, 40, 40);
            String title = (annealed ? "annealed Langevin" : "Langevin") + " samples of the checkpoint";
            if (data != null) {
                written.add(Plots.writeSideBySide(png, Plots.scatter("data (" + toy.name() + ")", data, Color.BLACK, shown),
                        Plots.scatter(title, rows, red, shown)));
            } else {
                written.add(Plots.writeSideBySide(png, Plots.scatter(title, rows, red, shown)));
            }
        } else {
            int[] chw = imageShape(example);
            if (chw != null) {
                int shownCount = Math.min(rows.length, 100);
                written.add(ImageGrid.write(png, java.util.Arrays.copyOf(rows, shownCount), chw[0], chw[1], chw[2],
                        0, 1, Math.max(1, 96 / Math.max(chw[1], chw[2]))));
            } else {
                System.out.println("No picture: the model's examples " + java.util.Arrays.toString(example)
                        + " are neither 2-D points nor images");
            }
        }
        System.out.println("Samples: " + String.join(", ", written.stream().map(Path::toString).toList()));
        return 0;
    }

    /** How the run's recipe transformed its dataset before training (identity when the run does not say). */
    private static DataTransform dataTransform(LoadedCheckpoint run, Recipe recipe) {
        return recipe == null || run.summaryDataset() == null ? DataTransform.IDENTITY
                : recipe.dataTransform(run.summaryDataset());
    }

    /** Exact samples of a flow, mapped back to the data space (pixels in [0, 1]) by the recipe's data transform. */
    private int writeExact(LoadedCheckpoint run, Recipe recipe) {
        DataTransform transform = dataTransform(run, recipe);
        System.out.printf("Sampling %d examples exactly (%s inverted)%n", chains, recipe.name());
        INDArray samples = transform.invert(recipe.exactSamples(run.network(), chains, seed));
        double[][] rows = samples.castTo(DataType.DOUBLE).reshape(chains, -1).toDoubleMatrix();
        Path out = output != null ? output : run.runDirectory().resolve("samples");
        List<Path> written = new ArrayList<>();
        written.add(writeCsv(out.resolve("samples.csv"), rows, false));
        int[] chw = imageShape(new long[] {rows[0].length});
        if (chw != null) {
            written.add(ImageGrid.write(out.resolve("samples.png"), java.util.Arrays.copyOf(rows, Math.min(rows.length, 100)),
                    chw[0], chw[1], chw[2], 0, 1, Math.max(1, 96 / Math.max(chw[1], chw[2]))));
        }
        System.out.println("Samples: " + String.join(", ", written.stream().map(Path::toString).toList()));
        return 0;
    }

    /** {σ_1 > … > σ_L} geometric from LARGEST to SMALLEST in LEVELS levels. */
    static double[] parseSigmas(String spec) {
        String[] p = spec.split(",");
        try {
            if (p.length != 3) {
                throw new NumberFormatException();
            }
            double hi = Double.parseDouble(p[0].trim());
            double lo = Double.parseDouble(p[1].trim());
            int levels = Integer.parseInt(p[2].trim());
            if (!(hi > 0) || !(lo > 0) || !(hi >= lo) || levels < 1 || !Double.isFinite(hi) || (levels == 1 && hi != lo)) {
                throw new NumberFormatException();
            }
            double[] s = new double[levels];
            for (int i = 0; i < levels; i++) {
                s[i] = levels == 1 ? hi : hi * Math.pow(lo / hi, (double) i / (levels - 1));
            }
            return s;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--sigmas wants LARGEST,SMALLEST,LEVELS with LARGEST ≥ SMALLEST > 0 and "
                    + "LEVELS ≥ 1 (e.g. 1,0.01,10), got '" + spec + "'");
        }
    }

    private static ScoreOracle conditionedAt(ScoreOracle oracle, double sigma) {
        return (x, ignored) -> oracle.score(x, sigma);
    }

    private static ToyDistribution toyOf(String dataset) {
        return dataset != null && Datasets.toyNames().contains(dataset) ? Datasets.toy(dataset) : null;
    }

    /** [C, H, W] of an image model's examples: [C,H,W] with C ∈ {1,3}, [H,W], or a flat square [D]; else null. */
    static int[] imageShape(long[] example) {
        if (example.length == 3 && (example[0] == 1 || example[0] == 3)) {
            return new int[] {(int) example[0], (int) example[1], (int) example[2]};
        }
        if (example.length == 2) {
            return new int[] {1, (int) example[0], (int) example[1]};
        }
        if (example.length == 1 && example[0] > 2) {
            int side = (int) Math.round(Math.sqrt(example[0]));
            if ((long) side * side == example[0]) {
                return new int[] {1, side, side};
            }
        }
        return null;
    }


    private static Path writeCsv(Path file, double[][] rows, boolean twoD) {
        return AtomicFiles.write(file, tmp -> {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                int d = rows.length == 0 ? 0 : rows[0].length;
                StringBuilder header = new StringBuilder();
                for (int j = 0; j < d; j++) {
                    header.append(j == 0 ? "" : ",").append(twoD ? (j == 0 ? "x" : "y") : "p" + j);
                }
                w.write(header.toString());
                w.newLine();
                for (double[] r : rows) {
                    StringBuilder line = new StringBuilder();
                    for (int j = 0; j < r.length; j++) {
                        line.append(j == 0 ? "" : ",").append((float) r[j]);
                    }
                    w.write(line.toString());
                    w.newLine();
                }
            }
        });
    }
}
