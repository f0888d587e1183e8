package io.github.ssm4j.autodiff.rules;

import static io.github.ssm4j.autodiff.JvpContext.one;

import io.github.ssm4j.autodiff.JvpContext;
import io.github.ssm4j.autodiff.RuleContext;
import io.github.ssm4j.autodiff.VjpContext;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Arithmetic with a scalar and between arrays, with NumPy broadcasting, and the pairwise maximum. Forward
 * mode materialises a tangent to the output's shape when only a broadcast operand has one; reverse mode
 * sums cotangents back to each operand's shape. At ties the maximum's derivative is split evenly between
 * the operands (SameDiff passes the whole gradient to both, which double-counts: d max(x, x)/dx would be 2).
 */
public final class ArithmeticRules {
    private ArithmeticRules() {
    }

    public static void register(RuleTable t) {
        // x ∘ c with a scalar c
        t.linear("add_scalar", (c, v) -> v, (c, v) -> v)
         .linear("sub_scalar", (c, v) -> v, (c, v) -> v)
         .linear("mul_scalar", (c, v) -> v.mul(c.scalar()), (c, v) -> v.mul(c.scalar()))
         .linear("div_scalar", (c, v) -> v.div(c.scalar()), (c, v) -> v.div(c.scalar()))
         .linear("rsub_scalar", (c, v) -> v.neg(), (c, v) -> v.neg())
         .elementwise("rdiv_scalar", (c, x, y) -> y.div(x).neg());           // d(c/x) = −(c/x)/x

        // a ∘ b, broadcasting
        t.rule("add", c -> one(sumOf(c, c.tangent(0), c.tangent(1))),
                c -> reduceEach(c, c.g(), c.g()))
         .rule("subtract", c -> one(sumOf(c, c.tangent(0), neg(c.tangent(1)))),
                c -> reduceEach(c, c.g(), c.g().neg()))
         .rule("reversesubtract", c -> one(sumOf(c, neg(c.tangent(0)), c.tangent(1))),   // b − a
                c -> reduceEach(c, c.g().neg(), c.g()))
         .rule("multiply", c -> one(sumOf(c, times(c.tangent(0), c.in(1)), times(c.tangent(1), c.in(0)))),
                c -> reduceEach(c, c.g().mul(c.in(1)), c.g().mul(c.in(0))))
         .rule("divide", ArithmeticRules::divideJvp, ArithmeticRules::divideVjp)
         .rule("reversedivide", ArithmeticRules::reverseDivideJvp, ArithmeticRules::reverseDivideVjp)
         .rule("biasadd", ArithmeticRules::biasAddJvp, ArithmeticRules::biasAddVjp)
         .rule("mergeadd", ArithmeticRules::mergeAddJvp, ArithmeticRules::mergeAddVjp)
         .rule("maximum", ArithmeticRules::maximumJvp, ArithmeticRules::maximumVjp);
    }

    /** a/b: d = (da − y·db)/b; cotangents g/b and −g·y/b. */
    private static SDVariable[] divideJvp(JvpContext c) {
        return one(quotientJvp(c, 0, 1));
    }

    private static SDVariable[] divideVjp(VjpContext c) {
        SDVariable[] r = quotientVjp(c, 0, 1);
        return reduceEach(c, r[0], r[1]);
    }

    /** b/a (reversed operands): d = (db − y·da)/a; cotangents −g·y/a and g/a. */
    private static SDVariable[] reverseDivideJvp(JvpContext c) {
        return one(quotientJvp(c, 1, 0));
    }

    private static SDVariable[] reverseDivideVjp(VjpContext c) {
        SDVariable[] r = quotientVjp(c, 1, 0);
        return reduceEach(c, r[1], r[0]);
    }

    /** Tangent of y = in(n)/in(d): (dn − y·dd)/d. */
    private static SDVariable quotientJvp(JvpContext c, int n, int d) {
        Quotient q = Quotient.of(c, n, d);
        return q.over(sumOf(c, c.tangent(n), neg(times(c.tangent(d), q.y()))));
    }

    /** Cotangents of the numerator and the denominator of y = in(n)/in(d), shaped like y. */
    private static SDVariable[] quotientVjp(VjpContext c, int n, int d) {
        Quotient q = Quotient.of(c, n, d);
        SDVariable gOver = q.over(c.g());
        return new SDVariable[] {gOver, c.needs(d) ? gOver.mul(q.y()).neg() : null};
    }

    /**
     * The quotient y = in(n)/in(d) and division by in(d), as the rules emit them. SameDiff's gradient of
     * divide and reversedivide with respect to a one-element second operand ([1] or [1, 1]) broadcast over
     * the first is wrong in 1.0.0-M2.1 (pinned in SameDiffGradientFactsTest), and the ops a rule emits, y
     * included, must have correct SameDiff gradients. So the op's own output y is used only when neither
     * operand is broadcast; otherwise y is formed again as a division by a full-shaped denominator (whose
     * gradient is correct) or, for a broadcast denominator, as a product with {@code 1/d}, which also
     * serves every division by it.
     */
    private record Quotient(SDVariable y, SDVariable denominator, SDVariable reciprocal) {
        static Quotient of(RuleContext c, int n, int d) {
            long[] ys = c.shape(c.y());
            boolean fullDenominator = java.util.Arrays.equals(c.shape(c.in(d)), ys);
            if (fullDenominator && java.util.Arrays.equals(c.shape(c.in(n)), ys)) {
                return new Quotient(c.y(), c.in(d), null);
            }
            if (fullDenominator) {
                return new Quotient(c.withShapeOf(c.in(n).div(c.in(d)), c.y()), c.in(d), null);
            }
            SDVariable reciprocal = c.sd().math.reciprocal(c.in(d));
            return new Quotient(c.withShapeOf(c.in(n).mul(reciprocal), c.y()), c.in(d), reciprocal);
        }

        SDVariable over(SDVariable v) {
            return reciprocal == null ? v.div(denominator) : v.mul(reciprocal);
        }
    }

    /** biasAdd(x, b): the bias is broadcast along the channel dimension. */
    private static SDVariable[] biasAddJvp(JvpContext c) {
        boolean nchw = Boolean.TRUE.equals(c.property("nchw"));
        SDVariable tx = c.tangent(0);
        SDVariable tb = c.tangent(1);
        if (tb == null) {
            return one(tx);
        }
        SDVariable base = tx != null ? tx : c.sd().zerosLike(c.x());
        return one(c.sd().nn.biasAdd(base, tb, nchw));
    }

    private static SDVariable[] biasAddVjp(VjpContext c) {
        SDVariable gb = null;
        if (c.needs(1)) {
            int rank = c.rank(c.x());
            int channel = Boolean.TRUE.equals(c.property("nchw")) && rank > 2 ? 1 : rank - 1;
            int[] others = new int[rank - 1];
            for (int i = 0, k = 0; i < rank; i++) {
                if (i != channel) {
                    others[k++] = i;
                }
            }
            gb = c.sum(c.g(), c.y(), false, others);
        }
        return new SDVariable[] {c.g(), gb};
    }

    private static SDVariable[] mergeAddJvp(JvpContext c) {
        SDVariable sum = null;
        for (int i = 0; i < c.numInputs(); i++) {
            sum = sumOf(c, sum, c.tangent(i));
        }
        return one(sum);
    }

    private static SDVariable[] mergeAddVjp(VjpContext c) {
        SDVariable[] r = new SDVariable[c.numInputs()];
        for (int i = 0; i < r.length; i++) {
            r[i] = c.needs(i) ? c.g() : null;
        }
        return r;
    }

    // ---- maximum(a, b), broadcasting: the derivative goes to the larger operand, split evenly at ties ----

    /** Weight of operand a: 1 where a > b, ½ where a = b, 0 where a < b. */
    private static SDVariable weightOfFirst(RuleContext c) {
        return c.sd().math.sign(c.in(0).sub(c.in(1))).add(1.0).mul(0.5);
    }

    private static SDVariable[] maximumJvp(JvpContext c) {
        SDVariable wa = weightOfFirst(c);
        SDVariable r = c.hasTangent(0) ? wa.mul(c.tangent(0)) : null;
        if (c.hasTangent(1)) {
            SDVariable tb = wa.rsub(1.0).mul(c.tangent(1));
            r = r == null ? tb : r.add(tb);
        }
        return one(r == null ? null : c.broadcastLike(r, c.y()));
    }

    private static SDVariable[] maximumVjp(VjpContext c) {
        SDVariable wa = weightOfFirst(c);
        return new SDVariable[] {
            c.needs(0) ? c.sumToShapeOf(c.withShapeOf(c.g().mul(wa), c.y()), c.in(0)) : null,
            c.needs(1) ? c.sumToShapeOf(c.withShapeOf(c.g().mul(wa.rsub(1.0)), c.y()), c.in(1)) : null
        };
    }

    // ---- helpers: symbolic zeros (null) propagate; a lone broadcast tangent is materialised ----

    private static SDVariable sumOf(JvpContext c, SDVariable a, SDVariable b) {
        SDVariable r = a == null ? b : b == null ? a : a.add(b);
        return r == null ? null : c.broadcastLike(r, c.y());
    }

    private static SDVariable neg(SDVariable v) {
        return v == null ? null : v.neg();
    }

    private static SDVariable times(SDVariable tangent, SDVariable factor) {
        return tangent == null ? null : tangent.mul(factor);
    }

    /** Cotangents for two broadcast operands: each summed back to its operand's shape, if needed. */
    private static SDVariable[] reduceEach(VjpContext c, SDVariable ga, SDVariable gb) {
        return new SDVariable[] {
            c.needs(0) && ga != null ? c.sumToShapeOf(c.withShapeOf(ga, c.y()), c.in(0)) : null,
            c.needs(1) && gb != null ? c.sumToShapeOf(c.withShapeOf(gb, c.y()), c.in(1)) : null
        };
    }
}
