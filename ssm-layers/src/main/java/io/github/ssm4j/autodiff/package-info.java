/**
 * Graph-level derivatives for SameDiff: {@link io.github.ssm4j.autodiff.Jvp} (forward mode),
 * {@link io.github.ssm4j.autodiff.Vjp} (differentiable reverse mode) and {@link io.github.ssm4j.autodiff.Hvp}
 * (quadratic forms, energy scores and Hessian-vector products).
 *
 * <p>Each transformation adds ordinary SameDiff ops to the graph, chosen by the op's
 * {@link io.github.ssm4j.autodiff.DerivativeRule}; the rules emit only ops that have rules and correct
 * SameDiff gradients themselves, so transformations compose (JVP of VJP, VJP of VJP) and SameDiff's own
 * first-order backprop can take the last step to the weights. Rules are registered in
 * {@link io.github.ssm4j.autodiff.DerivativeRules}; the built-in tables are in
 * {@link io.github.ssm4j.autodiff.rules}.
 */
package io.github.ssm4j.autodiff;
