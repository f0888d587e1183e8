/**
 * Internals of the DL4J integration, not public API: walking a MultiLayerNetwork or ComputationGraph, input
 * types, the contexts translators see, parameter binding, and the adapter through which the trainer applies
 * gradients with the network's own updater.
 */
package io.github.ssm4j.dl4j.internal;
