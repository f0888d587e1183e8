package io.github.ssm4j.autodiff;

import io.github.ssm4j.autodiff.internal.Checks;
import io.github.ssm4j.autodiff.internal.ForwardTransformer;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Forward mode (Jacobian-vector products) written into a SameDiff graph.
 *
 * <p>{@code Jvp.of(y, x, t)} adds ops computing {@code (∂y/∂x)·t} — about one extra forward pass, no
 * per-example loops, no Jacobian materialised — and returns the new variable. The added ops are
 * ordinary SameDiff ops with correct gradients, so the result can be differentiated again: by
 * {@link Vjp}, by another {@code Jvp}, or by SameDiff's own backprop to the weights.
 *
 * <p>Ops off the path from {@code x} to {@code y} (weight-only subgraphs) are constants. An op on the
 * path without a rule is an {@link UnsupportedOpException}, never a silent zero.
 *
 * <p>Stability: public API.
 */
public final class Jvp {
    private Jvp() {
    }

    /**
     * @param y output of the graph
     * @param x variable to differentiate with respect to (usually a placeholder)
     * @param t tangent, same shape and dtype as {@code x}
     * @return {@code (∂y/∂x)·t}, shaped like {@code y}
     * @throws IllegalArgumentException if shapes or dtypes disagree, or {@code y} does not depend on {@code x}
     */
    public static SDVariable of(SDVariable y, SDVariable x, SDVariable t) {
        Checks.sameShapeAndType("Jvp", x, "input", t, "tangent");
        if (y == x || y.name().equals(x.name())) {
            return t;
        }
        SDVariable result = new ForwardTransformer(x.getSameDiff()).seed(x, t).run(y)[0];
        if (result == null) {
            throw new IllegalArgumentException("Jvp: output '" + y.name() + "' does not depend on input '" + x.name()
                    + "', so its derivative is zero; differentiate an output computed from the input");
        }
        return result;
    }
}
