/** Training helpers shared by {@code ScoreMatchingTrainer} and {@code GraphTrainer}; not public API. */
package io.github.ssm4j.train.internal;
