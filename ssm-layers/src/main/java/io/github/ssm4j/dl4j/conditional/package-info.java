/**
 * Noise-conditional building blocks for NCSN-style score models s(x, σ) in ordinary DL4J
 * {@code ComputationGraph}s: SameDiff graph vertices with a second input carrying σ ([N, 1]).
 * {@link io.github.ssm4j.dl4j.conditional.DivideBySigmaVertex} (s(x)/σ),
 * {@link io.github.ssm4j.dl4j.conditional.SigmaFiLMVertex} (per-channel FiLM in log σ) and
 * {@link io.github.ssm4j.dl4j.conditional.ConditionalInstanceNormVertex} (NCSN's conditional instance
 * normalisation, with γ and β functions of σ). They serialise with the graph's JSON, train with DL4J's own
 * {@code fit}, and use only SameDiff ops that ssm4j's derivative engine differentiates. See
 * docs/DL4J-LOSS-AND-CONDITIONING.md.
 */
package io.github.ssm4j.dl4j.conditional;
