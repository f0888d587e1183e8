package io.github.ssm4j.autodiff.rules;

import io.github.ssm4j.autodiff.DerivativeRules;
import io.github.ssm4j.autodiff.JvpContext;
import io.github.ssm4j.autodiff.JvpRule;
import io.github.ssm4j.autodiff.RuleContext;
import io.github.ssm4j.autodiff.VjpRule;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Registration verbs that declare an op's derivative structure, so the rule tables stay short and
 * scannable (in the spirit of JAX's {@code defjvp}/{@code deflinear}/{@code defjvp_zero}):
 * <ul>
 *   <li>{@link #elementwise}: a unary elementwise op given its derivative f'(x) (which may use the
 *       output y); forward and reverse mode both multiply by it.</li>
 *   <li>{@link #linear}: an op linear in its (single differentiated) input: the tangent map is the op
 *       itself, the cotangent map its transpose.</li>
 *   <li>{@link #zeroDerivative}: piecewise-constant ops (sign, step, comparisons, zeros_like);</li>
 *   <li>{@link #rule}: anything else, with both rules written out;</li>
 *   <li>{@link #unsupported}: an op whose ND4J implementation is itself broken (a clear error).</li>
 * </ul>
 */
public final class RuleTable {
    private static final RuleTable GLOBAL = new RuleTable();

    /** f'(x) for an elementwise op, from its input x and output y. */
    @FunctionalInterface
    public interface Derivative {
        SDVariable of(RuleContext c, SDVariable x, SDVariable y);
    }

    /** A linear map applied to a tangent or cotangent. */
    @FunctionalInterface
    public interface LinearMap {
        SDVariable apply(RuleContext c, SDVariable v);
    }

    private RuleTable() {
    }

    /** The table backing {@link DerivativeRules}. */
    public static RuleTable global() {
        return GLOBAL;
    }

    public RuleTable rule(String opName, JvpRule jvp, VjpRule vjp) {
        DerivativeRules.register(opName, jvp, vjp);
        return this;
    }

    public RuleTable elementwise(String opName, Derivative d) {
        return rule(opName,
                c -> JvpContext.one(d.of(c, c.x(), c.y()).mul(c.tangent(0))),
                c -> new SDVariable[] {d.of(c, c.x(), c.y()).mul(c.g())});
    }

    public RuleTable linear(String opName, LinearMap forward, LinearMap transpose) {
        return rule(opName,
                c -> JvpContext.one(c.withShapeOf(forward.apply(c, c.tangent(0)), c.y())),
                c -> new SDVariable[] {c.withShapeOf(transpose.apply(c, c.g()), c.x())});
    }

    /** An op whose ND4J implementation is broken: differentiating it is an error that gives the reason. */
    public RuleTable unsupported(String opName, String reason) {
        DerivativeRules.registerUnsupported(opName, reason);
        return this;
    }

    public RuleTable zeroDerivative(String... opNames) {
        for (String name : opNames) {
            DerivativeRules.registerZeroDerivative(name);
        }
        return this;
    }
}
