package io.github.ssm4j.dl4j;

import io.github.ssm4j.objective.ObjectiveEvaluation;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the loss, its terms and the step rate every {@code every} steps (SLF4J, INFO, logger
 * {@code io.github.ssm4j.dl4j.LoggingListener}).
 *
 * <p>Stability: public API.
 */
public final class LoggingListener implements ScoreMatchingListener {
    private static final Logger LOG = LoggerFactory.getLogger(LoggingListener.class);
    private final int every;
    private long lastTime = System.nanoTime();
    private int lastStep = -1;

    public LoggingListener(int every) {
        if (every < 1) {
            throw new IllegalArgumentException("Log every n ≥ 1 steps, got " + every);
        }
        this.every = every;
    }

    @Override
    public void stepDone(int step, int epoch, ObjectiveEvaluation evaluation, int examples) {
        if (step % every != 0) {
            return;
        }
        long now = System.nanoTime();
        double rate = lastStep < 0 ? Double.NaN : (step - lastStep) / ((now - lastTime) / 1e9);
        lastStep = step;
        lastTime = now;
        StringBuilder terms = new StringBuilder();
        for (Map.Entry<String, Double> t : evaluation.terms().entrySet()) {
            terms.append(String.format(" %s %.6g", t.getKey(), t.getValue()));
        }
        LOG.info(String.format("step %d epoch %d loss %.6g%s (%.1f steps/s)", step, epoch, evaluation.loss(), terms,
                rate));
    }
}
