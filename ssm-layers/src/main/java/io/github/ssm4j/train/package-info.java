/**
 * Training loops: {@link io.github.ssm4j.train.GraphTrainer} for hand-built SameDiff graphs.
 */
package io.github.ssm4j.train;
