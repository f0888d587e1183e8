/**
 * Internals of the translation: walking a MultiLayerNetwork or ComputationGraph, input types, the
 * contexts translators see, parameter binding. Not public API.
 */
package io.github.ssm4j.dl4j.internal;
