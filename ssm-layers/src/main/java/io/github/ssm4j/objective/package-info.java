/**
 * Score-matching objectives as SameDiff losses: sliced (SSM, SSM-VR), implicit with the exact trace (ISM),
 * denoising (DSM, noise-conditional DSM) and finite-difference sliced (FD-SSM), for score networks and
 * energy models. Attach one to a {@link io.github.ssm4j.model.ScoreFunction} to get an
 * {@link io.github.ssm4j.objective.ObjectiveGraph}. See docs/OBJECTIVES.md.
 */
package io.github.ssm4j.objective;
