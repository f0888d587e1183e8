package io.github.ssm4j.autodiff.rules;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Unary elementwise ops: each rule is the op's derivative f'(x), written with the input x and, where
 * cheaper, the output y. Forward mode multiplies the tangent by it, reverse mode the cotangent.
 *
 * <p>Non-smooth points follow SameDiff's own gradient convention: relu, leaky relu, elu and selu take
 * the left branch at 0 (relu'(0) = 0); abs'(0) = sign(0) = 0.
 */
public final class ElementwiseRules {
    /** SELU constants (Klambauer et al., 2017), as in ND4J's kernel. */
    static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    static final double SELU_SCALE = 1.0507009873554804934193349852946;
    /**
     * ND4J's "gelu" is the sigmoid approximation x·σ(kx), k = 1.702 (Hendrycks and Gimpel, 2016), with k
     * held as a float: we use the same k so the derivative is that of the function actually computed.
     */
    static final double GELU_SIGMOID_K = (double) 1.702f;

    private ElementwiseRules() {
    }

    public static void register(RuleTable t) {
        t.linear("neg", (c, v) -> v.neg(), (c, v) -> v.neg())
         .linear("identity", (c, v) -> v, (c, v) -> v)
         .linear("cast", (c, v) -> v.castTo(c.y().dataType()), (c, v) -> v.castTo(c.x().dataType()))
         .elementwise("square", (c, x, y) -> x.mul(2.0))
         .elementwise("sqrt", (c, x, y) -> y.rdiv(0.5))
         .elementwise("rsqrt", (c, x, y) -> y.mul(y).mul(y).mul(-0.5))
         .elementwise("pow", (c, x, y) -> c.sd().math.pow(x, c.scalar() - 1.0).mul(c.scalar()))
         .elementwise("exp", (c, x, y) -> y)
         .elementwise("log", (c, x, y) -> c.sd().math.reciprocal(x))
         .elementwise("log1p", (c, x, y) -> x.add(1.0).rdiv(1.0))
         .elementwise("abs", (c, x, y) -> c.sd().math.sign(x))
         .elementwise("Reciprocal", (c, x, y) -> y.mul(y).neg())
         .elementwise("sin", (c, x, y) -> c.sd().math.cos(x))
         .elementwise("cos", (c, x, y) -> c.sd().math.sin(x).neg())
         .elementwise("tanh", (c, x, y) -> y.mul(y).rsub(1.0))
         .elementwise("sigmoid", (c, x, y) -> y.mul(y.rsub(1.0)))
         .elementwise("softplus", (c, x, y) -> c.sd().nn.sigmoid(x))
         .elementwise("relu", (c, x, y) -> c.sd().math.step(x, c.scalar()))
         .elementwise("leakyrelu", (c, x, y) -> leakyReluDerivative(c.sd(), x, c.scalar()))
         .elementwise("elu", (c, x, y) -> eluDerivative(c.sd(), x, y, 1.0, c.tArgs().length > 0 ? c.tArgs()[0] : 1.0))
         .elementwise("selu", (c, x, y) -> eluDerivative(c.sd(), x, y, SELU_SCALE, SELU_ALPHA))
         .elementwise("swish", (c, x, y) -> swishDerivative(c.sd(), x, 1.0))
         .elementwise("gelu", (c, x, y) -> swishDerivative(c.sd(), x, GELU_SIGMOID_K))
         .zeroDerivative("sign", "step", "floor", "ceil", "round", "zeroslike", "ones_as", "oneslike",
                 "greaterthan_scalar", "greaterthanorequal_scalar", "lessthan_scalar", "lessthanorequal_scalar",
                 "equals_scalar", "notequals_scalar", "greater", "greater_equal", "less", "less_equal",
                 "equals", "not_equals", "argmax", "argmin", "onehot");
    }

    /** alpha + (1 − alpha)·step(x). */
    private static SDVariable leakyReluDerivative(SameDiff sd, SDVariable x, double alpha) {
        return sd.math.step(x, 0.0).mul(1.0 - alpha).add(alpha);
    }

    /**
     * For y = scale·x (x &gt; 0), scale·alpha·(eˣ − 1) (x ≤ 0): the derivative is scale on the right and
     * y + scale·alpha on the left, i.e. left + step(x)·(scale − left).
     */
    private static SDVariable eluDerivative(SameDiff sd, SDVariable x, SDVariable y, double scale, double alpha) {
        SDVariable left = y.add(scale * alpha);
        return left.add(sd.math.step(x, 0.0).mul(left.rsub(scale)));
    }

    /** d/dx x·σ(kx) = σ(kx)·(1 + kx·(1 − σ(kx))). */
    private static SDVariable swishDerivative(SameDiff sd, SDVariable x, double k) {
        SDVariable kx = k == 1.0 ? x : x.mul(k);
        SDVariable s = sd.nn.sigmoid(kx);
        return s.mul(kx.mul(s.rsub(1.0)).add(1.0));
    }
}
