package io.github.ssm4j.examples.demo;

import io.github.ssm4j.dl4j.ScoreMatchingListener;
import io.github.ssm4j.examples.plot.Plots;
import io.github.ssm4j.objective.ObjectiveEvaluation;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Records the loss and its terms at every step, smooths them for the progress line and the loss curve. */
final class LossHistory implements ScoreMatchingListener {
    private final List<Integer> steps = new ArrayList<>();
    private final List<Double> losses = new ArrayList<>();
    private final Map<String, List<Double>> terms = new LinkedHashMap<>();
    private double smoothed = Double.NaN;

    @Override
    public void stepDone(int step, int epoch, ObjectiveEvaluation evaluation, int examples) {
        steps.add(step);
        losses.add(evaluation.loss());
        evaluation.terms().forEach((k, v) -> terms.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        smoothed = Double.isNaN(smoothed) ? evaluation.loss() : 0.95 * smoothed + 0.05 * evaluation.loss();
    }

    /** The training progress bar: step, rate, and (via {@link #message}) the loss and its terms. */
    static ProgressBar progressBar(PrintStream out, long steps) {
        return new ProgressBarBuilder().setTaskName("train").setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                .showSpeed().setUpdateIntervalMillis(250).setConsumer(new ConsoleProgressBarConsumer(out)).build();
    }

    String message() {
        StringBuilder b = new StringBuilder(String.format("loss %.4f", smoothed));
        terms.forEach((k, v) -> b.append(String.format(" %s %.4f", k, v.get(v.size() - 1))));
        return b.toString();
    }

    int steps() {
        return steps.size();
    }

    double lastLoss() {
        return smoothed;
    }

    Path draw(Path file, String objective) {
        int n = steps.size();
        double[] x = new double[n];
        List<String> names = new ArrayList<>();
        List<double[]> ys = new ArrayList<>();
        names.add("loss (moving average)");
        ys.add(movingAverage(losses));
        for (Map.Entry<String, List<Double>> t : terms.entrySet()) {
            names.add(t.getKey() + " (moving average)");
            ys.add(movingAverage(t.getValue()));
        }
        for (int i = 0; i < n; i++) {
            x[i] = steps.get(i);
        }
        return Plots.writeSideBySide(file, Plots.curves(objective + " during training", "step", "value", names, x, ys));
    }

    private static double[] movingAverage(List<Double> v) {
        double[] out = new double[v.size()];
        double m = Double.NaN;
        for (int i = 0; i < out.length; i++) {
            m = Double.isNaN(m) ? v.get(i) : 0.95 * m + 0.05 * v.get(i);
            out[i] = m;
        }
        return out;
    }
}
