/**
 * ssm4j: score matching for Deeplearning4j / SameDiff.
 *
 * <ul>
 *   <li>{@link io.github.ssm4j.autodiff}: graph-level JVP, differentiable VJP and HVP for SameDiff graphs,
 *       with a registry of derivative rules.</li>
 *   <li>{@link io.github.ssm4j.model}: score functions from score networks or energy models.</li>
 *   <li>{@link io.github.ssm4j.objective}: score-matching objectives (SSM, SSM-VR, ISM, DSM, FD-SSM).</li>
 *   <li>{@link io.github.ssm4j.train}: training loops.</li>
 *   <li>{@link io.github.ssm4j.dl4j}: DL4J networks as score models, ScoreMatchingTrainer, checkpoints.</li>
 *   <li>{@link io.github.ssm4j.sampling}: Langevin and annealed Langevin sampling.</li>
 *   <li>{@link io.github.ssm4j.util}: small utilities (quiet SameDiff output).</li>
 * </ul>
 */
package io.github.ssm4j;
