/**
 * A NICE normalising flow (Dinh, Krueger and Bengio, "NICE: Non-linear independent components estimation",
 * ICLR 2015 workshop) as a DL4J ComputationGraph whose single output is the exact energy E(x) = −log p(x):
 * additive coupling layers, a learned diagonal scaling and a standard normal prior. Also its exact inverse
 * (sampling) and the logit-space dequantisation of image data it is trained on.
 */
package io.github.ssm4j.examples.flow;
