package io.github.ssm4j.autodiff;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Reverse-mode rule for one op type: given the op's primal inputs and outputs and the cotangents of its
 * outputs, add ops that compute the cotangents of its inputs ({@code uᵀ ∂y/∂input}).
 *
 * <p>Return {@code null} for an input that needs no cotangent ({@link VjpContext#needs(int)} is false)
 * or whose cotangent is zero. The same closure requirement as {@link JvpRule} applies.
 */
@FunctionalInterface
public interface VjpRule {
    /** @return one cotangent per op input, {@code null} for zero or not needed */
    SDVariable[] cotangents(VjpContext c);
}
