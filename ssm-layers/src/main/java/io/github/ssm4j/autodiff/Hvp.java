package io.github.ssm4j.autodiff;

import io.github.ssm4j.autodiff.internal.Reductions;
import io.github.ssm4j.autodiff.internal.StaticShapes;
import java.util.Arrays;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Second-order quantities score matching needs, batched with one value per example (dimension 0):
 * <ul>
 *   <li>{@link #quadraticForm}: {@code vᵀ(∂s/∂x)v} for a score network {@code s(x)} (forward mode);</li>
 *   <li>{@link #energyScore}: {@code s = −∇ₓE} for an energy model, one scalar {@code E} per example
 *       (differentiable reverse mode);</li>
 *   <li>{@link #energyHessianVector}: {@code ∇²ₓE·v} (forward over reverse).</li>
 * </ul>
 *
 * <p>Stability: public API.
 */
public final class Hvp {
    private Hvp() {
    }

    /**
     * Per-example {@code vᵀ(∂s/∂x)v} where {@code s} has the shape of {@code x}; returns shape {@code [N]}.
     * Examples must be independent ({@code s} of one row may not depend on another row).
     */
    public static SDVariable quadraticForm(SDVariable s, SDVariable x, SDVariable v) {
        SDVariable jv = Jvp.of(s, x, v);
        SDVariable product = v.mul(jv);
        StaticShapes shapes = StaticShapes.of(x.getSameDiff());
        shapes.record(product, shapes.shapeOf(v));
        return sumPerExample(product);
    }

    /** {@code s = −∇ₓE} for an energy {@code E} of shape {@code [N]} or {@code [N, 1]}; shaped like {@code x}. */
    public static SDVariable energyScore(SDVariable energy, SDVariable x) {
        requirePerExampleScalar(energy);
        SDVariable ones = energy.getSameDiff().onesLike(energy);
        return Vjp.of(energy, x, ones).neg();
    }

    /** {@code ∇²ₓE·v} for an energy of shape {@code [N]} or {@code [N, 1]}; shaped like {@code x}. */
    public static SDVariable energyHessianVector(SDVariable energy, SDVariable x, SDVariable v) {
        requirePerExampleScalar(energy);
        SDVariable ones = energy.getSameDiff().onesLike(energy);
        SDVariable gradient = Vjp.of(energy, x, ones);
        return Jvp.of(gradient, x, v);
    }

    /**
     * Sums over every dimension but the first: one value per example. Safe for an {@code [N, 1]} input and
     * at batch size 1, where a plain sum fails in ND4J 1.0.0-M2.1 (docs/AUTODIFF.md).
     */
    public static SDVariable sumPerExample(SDVariable a) {
        long[] shape = StaticShapes.of(a.getSameDiff()).shapeOf(a);
        if (shape.length == 1) {
            return a;
        }
        int[] dims = new int[shape.length - 1];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = i + 1;
        }
        return Reductions.sum(a.getSameDiff(), a, shape, false, dims);
    }

    private static void requirePerExampleScalar(SDVariable energy) {
        long[] s = StaticShapes.of(energy.getSameDiff()).shapeOf(energy);
        boolean ok = s.length == 1 || (s.length == 2 && s[1] == 1);
        if (!ok) {
            throw new IllegalArgumentException("Energy '" + energy.name() + "' must be one scalar per example, shape [N] "
                    + "or [N, 1], but has shape " + Arrays.toString(s) + ". For a score network (output shaped like x) "
                    + "use quadraticForm instead.");
        }
    }
}
