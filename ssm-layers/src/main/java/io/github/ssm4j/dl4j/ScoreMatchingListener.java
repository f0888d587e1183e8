package io.github.ssm4j.dl4j;

import io.github.ssm4j.objective.ObjectiveEvaluation;

/**
 * Called by {@link ScoreMatchingTrainer} after every step and epoch. (DL4J {@code TrainingListener}s
 * attached to the network are called too, with the network's score set to the objective's loss.)
 *
 * <p>Stability: public API.
 */
public interface ScoreMatchingListener {
    /**
     * @param step the network's iteration count after the step (1 after the first step)
     * @param epoch the current epoch (0-based)
     * @param evaluation loss and terms of the batch before the update
     * @param examples rows in the batch
     */
    void stepDone(int step, int epoch, ObjectiveEvaluation evaluation, int examples);

    /** An epoch finished. */
    default void epochDone(int epoch) {
    }
}
