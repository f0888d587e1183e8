/**
 * Sampling from a trained score model: Langevin dynamics and annealed Langevin dynamics over a decreasing
 * noise schedule (for noise-conditional models).
 */
package io.github.ssm4j.sampling;
