package io.github.ssm4j.autodiff;

import java.util.Objects;

/**
 * The forward- and reverse-mode rules of one op type, as registered in {@link DerivativeRules}.
 *
 * @param opName SameDiff op name ({@code DifferentialFunction.opName()}), e.g. {@code "tanh"}
 * @param jvp    forward-mode rule
 * @param vjp    reverse-mode rule
 * @param zero   whether the op's derivative is identically zero (sign, comparisons, argmax, …): its
 *               outputs are then constants for every transformation, and the path stops there
 */
public record DerivativeRule(String opName, JvpRule jvp, VjpRule vjp, boolean zero) {
    public DerivativeRule(String opName, JvpRule jvp, VjpRule vjp) {
        this(opName, jvp, vjp, false);
    }

    public DerivativeRule {
        Objects.requireNonNull(opName, "opName");
        Objects.requireNonNull(jvp, "jvp rule for " + opName);
        Objects.requireNonNull(vjp, "vjp rule for " + opName);
    }
}
