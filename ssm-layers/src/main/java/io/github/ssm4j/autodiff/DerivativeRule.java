package io.github.ssm4j.autodiff;

import java.util.Objects;

/**
 * The forward- and reverse-mode rules of one op type, as registered in {@link DerivativeRules}.
 *
 * @param opName SameDiff op name ({@code DifferentialFunction.opName()}), e.g. {@code "tanh"}
 * @param jvp    forward-mode rule
 * @param vjp    reverse-mode rule
 */
public record DerivativeRule(String opName, JvpRule jvp, VjpRule vjp) {
    public DerivativeRule {
        Objects.requireNonNull(opName, "opName");
        Objects.requireNonNull(jvp, "jvp rule for " + opName);
        Objects.requireNonNull(vjp, "vjp rule for " + opName);
    }
}
