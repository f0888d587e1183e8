/**
 * DL4J integration: a {@code MultiLayerNetwork} or {@code ComputationGraph} (configuration + current
 * parameters) written as a SameDiff graph ({@link io.github.ssm4j.dl4j.NetworkTranslator}) that computes
 * what {@code output(x, false)} computes, so the score-matching objectives can train it, and the
 * parameters flow back into the DL4J network ({@link io.github.ssm4j.dl4j.TranslatedNetwork}).
 * Translators for layers, vertices, preprocessors and activations are in
 * {@link io.github.ssm4j.dl4j.layers}; what cannot be translated is an
 * {@link io.github.ssm4j.dl4j.UnsupportedNetworkException}.
 */
package io.github.ssm4j.dl4j;
