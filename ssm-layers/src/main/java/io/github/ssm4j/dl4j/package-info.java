/**
 * DL4J integration: a {@code MultiLayerNetwork} or {@code ComputationGraph} (configuration + current
 * parameters) written as a SameDiff graph ({@link io.github.ssm4j.dl4j.NetworkTranslator}), so the
 * score-matching objectives can train it, and the parameters flow back into the DL4J network.
 */
package io.github.ssm4j.dl4j;
