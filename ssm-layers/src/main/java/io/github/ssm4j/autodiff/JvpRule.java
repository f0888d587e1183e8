package io.github.ssm4j.autodiff;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Forward-mode rule for one op type: given the op's primal inputs and the tangents of those inputs,
 * add ops that compute the tangents of the op's outputs.
 *
 * <p>A returned {@code null} entry is a symbolic zero tangent. Rules must emit only ops that themselves
 * have rules and correct SameDiff gradients (never {@code *Bp} or {@code *Derivative} kernels), so that
 * derivatives compose to any order.
 */
@FunctionalInterface
public interface JvpRule {
    /** @return one tangent per op output, {@code null} for a zero tangent */
    SDVariable[] tangents(JvpContext c);
}
