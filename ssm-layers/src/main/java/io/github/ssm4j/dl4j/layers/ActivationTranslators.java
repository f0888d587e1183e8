package io.github.ssm4j.dl4j.layers;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.impl.ActivationCube;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationGELU;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationMish;
import org.nd4j.linalg.activations.impl.ActivationRReLU;
import org.nd4j.linalg.activations.impl.ActivationRationalTanh;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationRectifiedTanh;
import org.nd4j.linalg.activations.impl.ActivationSELU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftPlus;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.activations.impl.ActivationThresholdedReLU;

/**
 * DL4J's activation functions (inference mode), each written with ops that have derivative rules. Where
 * SameDiff has the very kernel DL4J runs (relu, leaky relu, elu, selu, tanh, sigmoid, softplus, swish,
 * gelu, softmax) we emit it; the others are compositions of such ops that compute the same function —
 * their constants taken as libnd4j holds them (several as floats: 0.2f, 1.7159f, 1.41645f) — and agree
 * with DL4J to rounding (≈ 1e-16 relative; tested against {@code IActivation.getActivation}).
 *
 * <p>Three of DL4J's functions are not what their names promise, and we reproduce what DL4J computes:
 * <ul>
 *   <li>{@code ActivationRReLU} at inference is a relu <em>thresholded</em> at (l + u)/2 (x for x ≥ (l+u)/2,
 *       else 0), not a leaky relu with slope (l + u)/2;</li>
 *   <li>{@code ActivationGELU(precise = true)} is x/2·(1 + tanh(√(2/π)·(x + (0.044715·x)³))) — the cube
 *       takes the coefficient too;</li>
 *   <li>{@code ActivationGELU()} is the sigmoid approximation x·σ(1.702x).</li>
 * </ul>
 * Softmax runs over the last dimension, as DL4J's {@code SoftMax} op does (dimension 1 for dense layers).
 * Non-smooth points (the kinks of relu6, hard tanh, hard sigmoid) get the derivative conventions of the
 * ops they are made of.
 *
 * <p>One deliberate difference: libnd4j's softplus is log(1 + exp(x)), which is +∞ in float32 from x ≈ 88.7
 * on (and so is DL4J's own forward pass). We continue it linearly above {@link #SOFTPLUS_LINEAR_FROM},
 * where it equals x to float64 rounding, so a network whose pre-activations grow large stays finite (measured: lenet-ebm's dense layer reached 80 within 45 training steps, then overflowed to NaN).
 */
public final class ActivationTranslators {
    /** libnd4j's hard sigmoid slope, a float constant. */
    static final double HARD_SIGMOID_SLOPE = (double) 0.2f;
    static final double RATIONAL_TANH_SCALE = (double) 1.7159f;
    static final double RATIONAL_TANH_QUARTIC = (double) 1.41645f;
    static final double PRECISE_GELU_CUBIC = 0.044715;

    private ActivationTranslators() {
    }

    static void register(TranslatorTable t) {
        t.activation(ActivationIdentity.class, (a, x, rank) -> x)
         .activation(ActivationReLU.class, ActivationTranslators::relu)
         .activation(ActivationLReLU.class, (a, x, rank) -> x.getSameDiff().nn.leakyRelu(x, a.getAlpha()))
         .activation(ActivationELU.class, (a, x, rank) -> elu(x, a.getAlpha()))
         .activation(ActivationSELU.class, (a, x, rank) -> x.getSameDiff().nn.selu(x))
         .activation(ActivationTanH.class, (a, x, rank) -> x.getSameDiff().math.tanh(x))
         .activation(ActivationSigmoid.class, (a, x, rank) -> x.getSameDiff().nn.sigmoid(x))
         .activation(ActivationSoftPlus.class, (a, x, rank) -> softplus(x))
         .activation(ActivationSwish.class, (a, x, rank) -> x.getSameDiff().nn.swish(x))
         .activation(ActivationGELU.class, (a, x, rank) -> a.isPrecise() ? preciseGelu(x) : x.getSameDiff().nn.gelu(x))
         .activation(ActivationSoftmax.class, (a, x, rank) -> x.getSameDiff().nn.softmax(x, rank - 1))
         .activation(ActivationSoftSign.class, (a, x, rank) -> x.div(x.getSameDiff().math.abs(x).add(1.0)))
         .activation(ActivationCube.class, (a, x, rank) -> x.mul(x).mul(x))
         .activation(ActivationHardTanH.class, (a, x, rank) -> clip(x.add(1.0), 2.0).sub(1.0))
         .activation(ActivationHardSigmoid.class, (a, x, rank) -> clip(x.mul(HARD_SIGMOID_SLOPE).add(0.5), 1.0))
         .activation(ActivationReLU6.class, (a, x, rank) -> clip(x, 6.0))
         .activation(ActivationRectifiedTanh.class, (a, x, rank) -> relu(x.getSameDiff().math.tanh(x)))
         .activation(ActivationRationalTanh.class, (a, x, rank) -> rationalTanh(x))
         .activation(ActivationMish.class, (a, x, rank) -> x.mul(x.getSameDiff().math.tanh(softplus(x))))
         .activation(ActivationThresholdedReLU.class, (a, x, rank) -> x.mul(x.getSameDiff().math.step(x, a.getTheta())))
         .activation(ActivationRReLU.class, (a, x, rank) -> x.getSameDiff().nn.relu(x, 0.5 * (a.getL() + a.getU())));
    }

    private static SDVariable relu(SDVariable x) {
        return x.getSameDiff().nn.relu(x, 0.0);
    }

    /**
     * Above this, softplus(x) = x + log1p(e^−x) is x to within e^−64 ≈ 1.6e-28 (relative 2.5e-30): below
     * float64's rounding, and far below float32's overflow of e^x at 88.7. A power of two, so that
     * x − 64 is exact for x up to 128.
     */
    public static final double SOFTPLUS_LINEAR_FROM = 64.0;

    /**
     * softplus(x − a) + a with a = relu(x − 64): libnd4j's softplus op up to 64 (the same value, bit for
     * bit), and 64 + (x − 64) above, where the op's log(1 + exp(x)) overflows to +∞ in float32 from 88.7.
     * Derivatives by the chain rule through relu: σ(x) up to 64, exactly 1 above (σ(64) is 1 in float64),
     * and σ(64) at the joint itself (relu's derivative at 0 is 0). Below x ≈ −17 the op rounds 1 + e^x to 1
     * and returns 0 rather than e^x < 4e-8 in float32 (libnd4j's log1p is log(1 + x) too, so it would not
     * help): an absolute error under float32's rounding of values near 1, and the derivative σ(x) is exact.
     */
    private static SDVariable softplus(SDVariable x) {
        SDVariable excess = relu(x.sub(SOFTPLUS_LINEAR_FROM));
        return x.getSameDiff().nn.softplus(x.sub(excess)).add(excess);
    }

    /** min(max(x, 0), top) as relu(x) − relu(x − top). */
    private static SDVariable clip(SDVariable x, double top) {
        return relu(x).sub(relu(x.sub(top)));
    }

    /**
     * DL4J's relu with its optional parameters: a negative slope below a threshold t (slope·(x − t)),
     * and a maximum.
     */
    private static SDVariable relu(ActivationReLU a, SDVariable x, int rank) {
        SameDiff sd = x.getSameDiff();
        SDVariable y;
        if (a.getNegativeSlope() == null && a.getThreshold() == null) {
            y = relu(x);
        } else {
            double t = a.getThreshold() == null ? 0.0 : a.getThreshold();
            double slope = a.getNegativeSlope() == null ? 0.0 : a.getNegativeSlope();
            if (t == 0.0) {
                y = sd.nn.leakyRelu(x, slope);
            } else {
                SDVariable above = sd.math.step(x, t);       // DL4J: x ≥ t; differs only at x = t exactly
                y = above.mul(x).add(above.rsub(1.0).mul(x.sub(t)).mul(slope));
            }
        }
        return a.getMax() == null ? y : y.sub(relu(y.sub(a.getMax())));
    }

    /** SameDiff's elu op has no alpha argument: for alpha ≠ 1, relu(x) + alpha·(exp(−relu(−x)) − 1). */
    private static SDVariable elu(SDVariable x, double alpha) {
        SameDiff sd = x.getSameDiff();
        if (alpha == 1.0) {
            return sd.nn.elu(x);
        }
        return relu(x).add(sd.math.exp(relu(x.neg()).neg()).sub(1.0).mul(alpha));
    }

    /** libnd4j's precise_gelu: x/2·(1 + tanh(√(2/π)·(x + (0.044715x)³))). */
    private static SDVariable preciseGelu(SDVariable x) {
        SameDiff sd = x.getSameDiff();
        SDVariable c = x.mul(PRECISE_GELU_CUBIC);
        SDVariable inner = x.add(c.mul(c).mul(c)).mul(Math.sqrt(2.0 / Math.PI));
        return x.div(2.0).mul(sd.math.tanh(inner).add(1.0));
    }

    /** libnd4j's rational_tanh: 1.7159·sign(d)·(1 − 1/(1 + |d| + d² + 1.41645·d⁴)), d = 2x/3. */
    private static SDVariable rationalTanh(SDVariable x) {
        SameDiff sd = x.getSameDiff();
        SDVariable d = x.mul(2.0 / 3.0);
        SDVariable d2 = d.mul(d);
        SDVariable denominator = sd.math.abs(d).add(1.0).add(d2).add(d2.mul(d2).mul(RATIONAL_TANH_QUARTIC));
        return sd.math.sign(d).mul(denominator.rdiv(1.0).rsub(1.0)).mul(RATIONAL_TANH_SCALE);
    }
}
