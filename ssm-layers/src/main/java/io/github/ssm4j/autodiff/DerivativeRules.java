package io.github.ssm4j.autodiff;

import io.github.ssm4j.autodiff.rules.ArithmeticRules;
import io.github.ssm4j.autodiff.rules.ConvolutionRules;
import io.github.ssm4j.autodiff.rules.ElementwiseRules;
import io.github.ssm4j.autodiff.rules.LinearAlgebraRules;
import io.github.ssm4j.autodiff.rules.NormalizationRules;
import io.github.ssm4j.autodiff.rules.PoolingRules;
import io.github.ssm4j.autodiff.rules.ReductionRules;
import io.github.ssm4j.autodiff.rules.RuleTable;
import io.github.ssm4j.autodiff.rules.ShapeRules;
import io.github.ssm4j.autodiff.rules.StridedSliceRules;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The registry of derivative rules, keyed by SameDiff op name or op class.
 *
 * <p>Built-in rules live in one table per op family ({@link ElementwiseRules}, {@link ArithmeticRules},
 * {@link LinearAlgebraRules}, {@link ReductionRules}, {@link ShapeRules}, {@link StridedSliceRules},
 * {@link ConvolutionRules}, {@link PoolingRules}, {@link NormalizationRules}). Registering a rule for your
 * own op is one call. For example, for an op {@code "cube"} computing {@code x³}:
 *
 * <pre>{@code
 * DerivativeRules.register("cube",
 *     c -> JvpContext.one(c.x().mul(c.x()).mul(3.0).mul(c.tangent(0))),    // (3x²)·t
 *     c -> new SDVariable[] {c.x().mul(c.x()).mul(3.0).mul(c.g())});       // (3x²)·g
 * }</pre>
 * or, for an elementwise op, just its derivative: {@code RuleTable.global().elementwise("cube", (c, x, y) ->
 * x.mul(x).mul(3.0))}. A rule may emit only ops that themselves have rules and correct SameDiff
 * gradients, so that derivatives compose.
 *
 * <p>Stability: public API.
 */
public final class DerivativeRules {
    private static final Map<String, DerivativeRule> BY_NAME = new ConcurrentHashMap<>();
    private static final Map<Class<?>, DerivativeRule> BY_CLASS = new ConcurrentHashMap<>();
    /** Ops known to be broken in ND4J itself, with the reason and what to use instead. */
    private static final Map<String, String> UNSUPPORTED = new ConcurrentHashMap<>();

    static {
        RuleTable table = RuleTable.global();
        ElementwiseRules.register(table);
        ArithmeticRules.register(table);
        LinearAlgebraRules.register(table);
        ReductionRules.register(table);
        ShapeRules.register(table);
        StridedSliceRules.register(table);
        ConvolutionRules.register(table);
        PoolingRules.register(table);
        NormalizationRules.register(table);
    }

    private DerivativeRules() {
    }

    /** Registers (or replaces) the rules for every op whose {@code opName()} is {@code opName}. */
    public static void register(String opName, JvpRule jvp, VjpRule vjp) {
        UNSUPPORTED.remove(opName);
        BY_NAME.put(opName, new DerivativeRule(opName, jvp, vjp));
    }

    /**
     * Declares ops whose derivative is identically zero (piecewise constant: sign, comparisons, argmax).
     * Their outputs are constants for the transformations, which neither need nor emit rules beyond them.
     */
    public static void registerZeroDerivative(String opName) {
        UNSUPPORTED.remove(opName);
        BY_NAME.put(opName, new DerivativeRule(opName, c -> new SDVariable[c.numOutputs()],
                c -> new SDVariable[c.numInputs()], true));
    }

    /**
     * Declares an op that must not be differentiated (its ND4J implementation is itself broken), with the
     * reason and the alternative: differentiating it raises an {@link UnsupportedOpException} that says so.
     * Registering rules for it later replaces the declaration.
     */
    public static void registerUnsupported(String opName, String reason) {
        BY_NAME.remove(opName);
        UNSUPPORTED.put(opName, reason);
    }

    /** Whether the op is declared to have an identically zero derivative. */
    public static boolean hasZeroDerivative(DifferentialFunction op) {
        DerivativeRule rule = find(op);
        return rule != null && rule.zero();
    }

    /** Registers (or replaces) the rules for one op class; takes precedence over a rule by name. */
    public static void register(Class<? extends DifferentialFunction> opClass, JvpRule jvp, VjpRule vjp) {
        BY_CLASS.put(opClass, new DerivativeRule(opClass.getSimpleName(), jvp, vjp));
    }

    /** Whether an op has rules. */
    public static boolean supports(DifferentialFunction op) {
        return find(op) != null;
    }

    /** The op names with built-in or registered rules, sorted. */
    public static Set<String> supportedOps() {
        Set<String> names = new TreeSet<>(BY_NAME.keySet());
        BY_CLASS.keySet().forEach(c -> names.add(c.getName()));
        return names;
    }

    /**
     * The rules for an op on a differentiated path.
     *
     * @throws UnsupportedOpException naming the op and the variable it produces when there is none
     */
    public static DerivativeRule require(DifferentialFunction op, SDVariable producedVariable) {
        DerivativeRule rule = find(op);
        if (rule == null) {
            String name = op.opName();
            String knownBroken = name == null ? null : UNSUPPORTED.get(name);
            throw new UnsupportedOpException(name, op.getClass().getName(), op.getOwnName(),
                    producedVariable == null ? "?" : producedVariable.name(), knownBroken);
        }
        return rule;
    }

    private static DerivativeRule find(DifferentialFunction op) {
        DerivativeRule byClass = BY_CLASS.get(op.getClass());
        if (byClass != null) {
            return byClass;
        }
        String name;
        try {
            name = op.opName();
        } catch (UnsupportedOperationException e) {
            return null;
        }
        return name == null ? null : BY_NAME.get(name);
    }
}
